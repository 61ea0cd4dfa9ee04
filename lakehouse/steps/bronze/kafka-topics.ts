/**
 * Bronze: records of the user_info, workout and bpm topics, read from the broker into
 * kafka_multiplex_bz.
 *
 * Exactly-once: each commit carries, per topic-partition, a txn `bronze_kafka:<topic>:<partition>`
 * whose version is the next offset to read. A run reads from those offsets up to the high watermarks
 * seen at its start (mode `once`), so after a crash the next run resumes right after the last committed
 * record: no gap, no repeat. Records without a value (tombstones) go to quarantine, committed first
 * under the same txn ids.
 *
 * A backlog is read in bounded batches (kafkaTuning.maxRecordsPerCommit records over all partitions per
 * commit), each committed with its offsets before the next is read: a step cut off (an activity timeout,
 * a lost worker) resumes from its last batch instead of from the start of the backlog.
 */
import { kafkaMultiplexBz, type KafkaMultiplexBzRow, quarantineRecords } from '../../../schema/tables.ts';
import { KNOWN_TOPICS } from '../../parse/payloads.ts';
import { type AddAction, commit, type Txn } from '../../table/log/index.ts';
import { batchFromRows } from '../../table/columns/index.ts';
import { writeDataFiles } from '../../table/files/index.ts';
import { QuarantineBuffer } from '../quarantine.ts';
import type { Step, StepContext, StepResult } from '../step.ts';
import { shouldPlanAgain } from '../target-transaction.ts';
import type { PartitionRange } from './kafka-source.ts';
import { bronzeKafkaRow } from '../../parse/kafka-record.ts';

const STEP = 'bronze_kafka';
const ROWS_PER_FILE = 500_000;

/** The batch bound (see the module comment); a setting so tests can cut a small backlog into batches. */
export const kafkaTuning = { maxRecordsPerCommit: 2_000_000 };

export const partitionTxnId = (topic: string, partition: number) => `${STEP}:${topic}:${partition}`;

export const bronzeKafkaTopics: Step = {
  name: STEP,
  layer: 'bronze',
  reads: [],
  sources: KNOWN_TOPICS.map((topic) => ({ kind: 'kafka', topic })),
  writes: [kafkaMultiplexBz],
  async run(ctx): Promise<StepResult> {
    const total: StepResult = { step: STEP, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: {}, changed: false };
    const details: string[] = [];
    for (let conflicts = 0; ; ) {
      try {
        const batch = await ingestOnce(ctx);
        total.recordsIn += batch.recordsIn;
        total.rowsWritten += batch.rowsWritten;
        total.quarantined += batch.quarantined;
        total.changed ||= batch.changed;
        total.versions = batch.versions;
        if (batch.detail) details.push(batch.detail);
        if (!batch.more) return { ...total, ...(details.length > 0 ? { detail: details.join('; ') } : {}) };
      } catch (e) {
        // Another runner committed some of these offsets since the plan (commit judges every commit
        // since the planned snapshot): plan again from the offsets it left.
        if (!shouldPlanAgain(e, conflicts++)) throw e;
      }
    }
  },
};

/**
 * One planned batch of the new offsets: checkpoints from one snapshot each of bronze and quarantine,
 * commits judged against them; `more` when the batch bound left records of the backlog for the next.
 */
async function ingestOnce(ctx: StepContext): Promise<StepResult & { more?: boolean }> {
  const table = await ctx.lake.table(kafkaMultiplexBz);
  const planned = table.snapshot;
  const result: StepResult = { step: STEP, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: { [kafkaMultiplexBz.name]: planned.version }, changed: false };
  if (!ctx.kafka) return { ...result, detail: 'no Kafka source configured' };
  const quarantinePlanned = (await ctx.lake.table(quarantineRecords)).snapshot;
  const ranges: PartitionRange[] = [];
  let budget = kafkaTuning.maxRecordsPerCommit;
  let more = false;
  // Records the broker deleted (retention) before this lake read them: they cannot be ingested, but the
  // result says so instead of looking like an idle topic.
  const expired: string[] = [];
  for (const w of await ctx.kafka.watermarks(KNOWN_TOPICS)) {
    const id = partitionTxnId(w.topic, w.partition);
    const checkpoint = planned.txns.get(id) ?? 0;
    if (w.low > checkpoint) expired.push(`${w.topic}/${w.partition} ${checkpoint}..${w.low - 1}`);
    const from = Math.max(checkpoint, w.low);
    // A quarantine commit ahead of the bronze one marks an interrupted run: redo exactly its range.
    const q = quarantinePlanned.txns.get(`${id}#quarantine`);
    const until = q !== undefined && q > from ? Math.min(q, w.high) : w.high;
    // The batch bound, spent partition by partition in the broker's order: the same plan every time.
    const to = Math.min(until, from + budget);
    if (to < until) more = true;
    budget -= Math.max(0, to - from);
    if (to > from) ranges.push({ topic: w.topic, partition: w.partition, from, to });
  }
  const expiredNote = expired.length > 0 ? `; expired before ingestion (log start beyond checkpoint): ${expired.join(', ')}` : '';
  if (ranges.length === 0) return { ...result, detail: `no new records${expiredNote}` };

  const quarantine = new QuarantineBuffer(STEP, kafkaMultiplexBz.name, ctx.now);
  const loadTime = ctx.now();
  const adds: AddAction[] = [];
  let pending: KafkaMultiplexBzRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    adds.push(...(await writeDataFiles(table.store, kafkaMultiplexBz.name, planned.columns, planned.partitionColumns, batchFromRows(kafkaMultiplexBz.columns, pending), { now: ctx.now })));
    result.rowsWritten += pending.length;
    pending = [];
  };
  await ctx.kafka.read(ranges, async (records) => {
    for (const r of records) {
      result.recordsIn++;
      const source = `kafka:${r.topic}/${r.partition}@${r.offset}`;
      if (r.value === null) {
        quarantine.add(source, null, 'record has no value (tombstone)');
        continue;
      }
      pending.push(bronzeKafkaRow({ key: r.key, value: r.value, topic: r.topic, partition: r.partition, offset: r.offset, timestampMicros: r.timestampMs * 1000 }, loadTime, `kafka:${r.topic}`));
    }
    if (pending.length >= ROWS_PER_FILE) await flush();
    ctx.progress?.({ records: result.recordsIn, detail: `${records[0]!.topic}/${records[0]!.partition}@${records[records.length - 1]!.offset}` });
  });
  await flush();
  const txn: Txn[] = ranges.map((r) => ({ appId: partitionTxnId(r.topic, r.partition), version: r.to }));
  result.quarantined = quarantine.size;
  await quarantine.flush(ctx.lake, txn, quarantinePlanned);
  const committed = await commit(table.store, {
    readSnapshot: planned,
    actions: adds.map((add) => ({ add })),
    operation: 'STREAMING UPDATE',
    operationParameters: { mode: 'Append', source: 'kafka', ranges: JSON.stringify(ranges) },
    operationMetrics: { numFiles: adds.length, numOutputRows: result.rowsWritten },
    readSet: { readsAdded: false },
    txn,
    now: ctx.now,
  });
  await table.refresh();
  if (!committed.committed) result.rowsWritten = 0;
  result.changed = committed.committed;
  result.versions[kafkaMultiplexBz.name] = committed.version;
  result.detail = ranges.map((r) => `${r.topic}/${r.partition} ${r.from}..${r.to - 1}`).join(', ') + expiredNote;
  return { ...result, more };
}
