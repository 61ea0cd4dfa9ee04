/**
 * Bronze: Kafka record dumps (JSON lines) dropped in `landing/kafka/` into kafka_multiplex_bz, the same
 * table the broker feeds. Lines that are not Kafka records, and records of topics fitlake does not
 * know, go to quarantine. Big dumps are read in parts as bytes (kafka-dump-part.ts), on worker threads
 * when there are any (see landing-files.ts); small ones line by line as text.
 */
import { kafkaMultiplexBz } from '../../../schema/tables.ts';
import type { Step } from '../step.ts';
import { kafkaDumpParser, parseDumpPart } from '../../kernels/dump-part.ts';
import { ingestLandingFiles } from './landing-files.ts';

export const bronzeKafkaFiles: Step = {
  name: 'bronze_kafka_files',
  layer: 'bronze',
  reads: [],
  sources: [{ kind: 'landing', folder: 'kafka' }],
  writes: [kafkaMultiplexBz],
  run: (ctx) =>
    ingestLandingFiles(ctx, {
      step: 'bronze_kafka_files',
      folder: 'kafka',
      suffix: '.json',
      target: kafkaMultiplexBz,
      parserFor: kafkaDumpParser,
      rangeParser() {
        const pool = ctx.threads;
        // The part's bytes are handed over, not copied: the ingestion loop made them for this part alone.
        if (pool) return { parse: (input) => pool.run('parseDumpPart', input, [input.bytes.buffer as ArrayBuffer]), parallel: pool.size };
        return { parse: async (input) => parseDumpPart(input).output, parallel: 1 };
      },
    }),
};
