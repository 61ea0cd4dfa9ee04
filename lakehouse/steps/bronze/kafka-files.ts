/**
 * Bronze: Kafka record dumps (JSON lines) dropped in `landing/kafka/` into kafka_multiplex_bz, the same
 * table the broker feeds. Lines that are not Kafka records, and records of topics fitlake does not
 * know, go to quarantine.
 */
import { kafkaMultiplexBz } from '../../../schema/tables.ts';
import { parseKafkaDumpLine } from '../../parse/kafka-dump.ts';
import { isKnownTopic } from '../../parse/payloads.ts';
import type { Step } from '../step.ts';
import { bronzeKafkaRow } from './kafka-record.ts';
import { ingestLandingFiles } from './landing-files.ts';

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
      parserFor: (fileKey) => (line) => {
        const parsed = parseKafkaDumpLine(line.line);
        if (!parsed.ok) return parsed;
        if (!isKnownTopic(parsed.record.topic)) return { ok: false, reason: `unknown topic ${JSON.stringify(parsed.record.topic)}` };
        // load_time and source_file are set by the ingestion loop; placeholders keep the row shape.
        return { ok: true, row: bronzeKafkaRow(parsed.record, 0, fileKey) };
      },
    }),
};
