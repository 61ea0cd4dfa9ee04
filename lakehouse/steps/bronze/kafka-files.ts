/**
 * Bronze: Kafka record dumps (JSON lines) dropped in `landing/kafka/` into kafka_multiplex_bz, the same
 * table the broker feeds. Lines that are not Kafka records, and records of topics fitlake does not
 * know, go to quarantine. Big dumps are parsed in parts on worker threads (see landing-files.ts).
 */
import { kafkaMultiplexBz } from '../../../schema/tables.ts';
import { parseKafkaDumpLine } from '../../parse/kafka-dump.ts';
import { isKnownTopic } from '../../parse/payloads.ts';
import { workerPool } from '../../threads/pool.ts';
import type { Step } from '../step.ts';
import { bronzeKafkaValues } from './kafka-record.ts';
import { ingestLandingFiles, parseLineRange, type FileParser, type RangeInput } from './landing-files.ts';

/** The parser of a dump's lines: stateless, so parts of a file can be parsed apart. */
export const kafkaDumpParser =
  (fileKey: string): FileParser =>
  (line) => {
    const parsed = parseKafkaDumpLine(line.line);
    if (!parsed.ok) return parsed;
    if (!isKnownTopic(parsed.record.topic)) return { ok: false, reason: `unknown topic ${JSON.stringify(parsed.record.topic)}` };
    // load_time and source_file are set by the ingestion loop; placeholders keep the row shape.
    return { ok: true, values: bronzeKafkaValues(parsed.record, 0, fileKey) };
  };

/** A part of a dump parsed into data files: the worker task (threads/tasks.ts). */
export const parseDumpRange = (input: RangeInput) => parseLineRange(input, kafkaDumpParser(input.fileKey));

export const bronzeKafkaFiles: Step = {
  name: 'bronze_kafka_files',
  layer: 'bronze',
  reads: ['landing:kafka'],
  writes: [kafkaMultiplexBz],
  run: (ctx) =>
    ingestLandingFiles(ctx, {
      step: 'bronze_kafka_files',
      folder: 'kafka',
      suffix: '.json',
      target: kafkaMultiplexBz,
      parserFor: kafkaDumpParser,
      rangeParser() {
        const pool = workerPool();
        // The part's bytes are handed over, not copied: the ingestion loop made them for this part alone.
        return pool && { parse: (input) => pool.run('parseDumpRange', input, [input.bytes.buffer as ArrayBuffer]), parallel: pool.size };
      },
    }),
};
