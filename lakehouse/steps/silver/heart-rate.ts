/** Silver heart_rate: one reading per (device_id, time); valid = 0 < heartrate < 300 (invalid ones are kept, flagged). */
import { heartRate, kafkaMultiplexBz } from '../../../schema/tables.ts';
import { parseBpm } from '../../parse/payloads.ts';
import type { Row } from '../../table/operations/merge.ts';
import { runIncremental } from '../incremental-step.ts';
import { dedupe } from '../rows.ts';
import type { Step } from '../step.ts';
import { readTopicPayloads } from './topic-payloads.ts';

const STEP = 'silver_heart_rate';

/** Of two readings with one key, the lower heart rate: an order-independent choice. */
const keep = (a: Row, b: Row) => ((b.heartrate as number) < (a.heartrate as number) ? b : a);

export const silverHeartRate: Step = {
  name: STEP,
  layer: 'silver',
  reads: [kafkaMultiplexBz],
  writes: [heartRate],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: heartRate,
      upstream: [kafkaMultiplexBz],
      async compute({ ranges: [bz], quarantine }) {
        const { parsed, recordsIn } = await readTopicPayloads(bz!, 'bpm', parseBpm, quarantine);
        const rows: Row[] = parsed.map((r) => ({ device_id: r.device_id, time: r.time, heartrate: r.heartrate, valid: r.heartrate > 0 && r.heartrate < 300 }));
        const { kept, duplicates } = dedupe(rows, (r) => `${r.device_id}\u0001${r.time}`, keep);
        return { rows: kept, recordsIn, duplicates };
      },
      whenMatched: (target, source) => ((source.heartrate as number) < (target.heartrate as number) ? source : undefined),
    }),
};
