/**
 * Exact offset ranges from kafkajs through one long-lived consumer. kafkajs has no manual partition
 * assignment, so the consumer is a group of one (a group id of its own, never committing: the lake's txn
 * versions are the offsets of record) that joins once and keeps every partition paused between reads.
 * A read seeks each partition of its ranges to the range's start and resumes it; a partition is paused
 * again the moment its range is complete, so an idle partition is never fetched and never waited on.
 *
 * Invariant: per partition, records reach `onBatch` once each, in offset order, exactly those of
 * [from, to). `next` (the next offset to deliver) is the only position that counts: records below it
 * (a batch fetched before a seek took effect, a rejoin that restarted the partition from the beginning)
 * are skipped, and a rejoin seeks the partitions of the read in progress back to their `next`.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { StorageError } from '../errors.ts';
import type { PartitionRange, SourceRecord } from '../steps/bronze/kafka-source.ts';

export interface RangeReaderOptions {
  /** Give up on a read that makes no progress for this long. */
  stallTimeoutMs: number;
  /** Longest a fetch waits on the broker for data (also the idle loop's sleep when every partition is paused). */
  maxWaitTimeMs: number;
}

interface PartitionRead {
  range: PartitionRange;
  /** Next offset to deliver. */
  next: number;
}

/** The read in progress. */
interface CurrentRead {
  onBatch: (records: SourceRecord[]) => Promise<void>;
  lastProgress: number;
  finish: () => void;
  fail: (error: unknown) => void;
}

const keyOf = (topic: string, partition: number) => `${topic}:${partition}`;

/** Group partitions by topic, the shape kafkajs' pause/resume take. */
function byTopic(parts: readonly { topic: string; partition: number }[]): { topic: string; partitions: number[] }[] {
  const map = new Map<string, number[]>();
  for (const p of parts) map.set(p.topic, [...(map.get(p.topic) ?? []), p.partition]);
  return [...map].map(([topic, partitions]) => ({ topic, partitions }));
}

export class KafkajsRangeReader {
  private consumer: Consumer | undefined;
  private topics = new Set<string>();
  /** Partitions assigned at the last group join, by topic. */
  private assignment: Record<string, number[]> = {};
  private readonly active = new Map<string, PartitionRead>();
  private current: CurrentRead | undefined;
  /** Reads run one at a time: the consumer's positions belong to one read. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: RangeReaderOptions,
  ) {}

  /** Deliver every record of the ranges, in offset order per partition (see the module comment). */
  read(ranges: readonly PartitionRange[], onBatch: (records: SourceRecord[]) => Promise<void>): Promise<void> {
    const run = this.queue.then(() => this.readNow(ranges, onBatch));
    this.queue = run.catch(() => {});
    return run;
  }

  /** Leave the group and disconnect; a read in progress fails. */
  async close(): Promise<void> {
    this.closed = true;
    this.current?.fail(new StorageError('the Kafka source was closed during a read'));
    await this.stopConsumer();
  }

  private async readNow(ranges: readonly PartitionRange[], onBatch: (records: SourceRecord[]) => Promise<void>): Promise<void> {
    const todo = ranges.filter((r) => r.to > r.from);
    if (todo.length === 0) return;
    if (this.closed) throw new StorageError('the Kafka source is closed');
    const consumer = await this.consumerFor(todo);
    let timer: NodeJS.Timeout | undefined;
    let brokenConsumer = false;
    try {
      await new Promise<void>((resolve, reject) => {
        const current: CurrentRead = {
          onBatch,
          lastProgress: Date.now(),
          finish: resolve,
          fail: (error) => {
            brokenConsumer ||= !(error instanceof OnBatchError);
            reject(error instanceof OnBatchError ? error.cause : error);
          },
        };
        this.current = current;
        timer = setInterval(() => {
          if (Date.now() - current.lastProgress > this.options.stallTimeoutMs) {
            current.fail(new StorageError(`Kafka read stalled with ${this.active.size} partition(s) unfinished: ${[...this.active.values()].map((p) => `${p.range.topic}/${p.range.partition}@${p.next}<${p.range.to}`).join(', ')}`));
          }
        }, 250);
        try {
          // Seek before resume: the fetch that first includes a partition applies its seek first.
          for (const r of todo) {
            this.active.set(keyOf(r.topic, r.partition), { range: r, next: r.from });
            consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.from) });
          }
          consumer.resume(byTopic(todo));
        } catch (e) {
          current.fail(e);
        }
      });
    } finally {
      clearInterval(timer);
      this.current = undefined;
      const left = [...this.active.values()].map((p) => p.range);
      this.active.clear();
      if (left.length > 0 && this.consumer === consumer) {
        try {
          consumer.pause(byTopic(left));
        } catch {
          brokenConsumer = true;
        }
      }
      // After a failure of the consumer itself (crash, stall, close) its state is unknown: start afresh next time.
      if (brokenConsumer) await this.stopConsumer();
    }
  }

  /** The running consumer, subscribed to the ranges' topics and assigned their partitions; started when needed. */
  private async consumerFor(todo: readonly PartitionRange[]): Promise<Consumer> {
    const covered = () => todo.every((r) => this.assignment[r.topic]?.includes(r.partition));
    if (this.consumer && todo.every((r) => this.topics.has(r.topic)) && covered()) return this.consumer;
    // New topics need a new subscription, and a partition missing from the assignment (added since the
    // join) new metadata: either way, a fresh consumer.
    await this.stopConsumer();
    for (const r of todo) this.topics.add(r.topic);
    const consumer = await this.startConsumer([...this.topics]);
    if (!covered()) {
      await this.stopConsumer();
      const missing = todo.filter((r) => !this.assignment[r.topic]?.includes(r.partition)).map((r) => `${r.topic}/${r.partition}`);
      throw new StorageError(`Kafka consumer was not assigned ${missing.join(', ')} (assigned ${JSON.stringify(this.assignment)})`);
    }
    return consumer;
  }

  private async startConsumer(topics: string[]): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: `fitlake-read-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.options.maxWaitTimeMs,
      // A crashed consumer is replaced by the next read (see readNow), not restarted behind our back
      // with positions and pauses lost.
      retry: { restartOnFailure: async () => false },
    });
    this.assignment = {};
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.assignment = payload.memberAssignment;
      // After every join kafkajs would fetch each assigned partition from its committed offset (none:
      // from the beginning). Only the partitions of a read in progress may fetch, from where it stands.
      const idle: { topic: string; partition: number }[] = [];
      for (const [topic, partitions] of Object.entries(payload.memberAssignment)) {
        for (const partition of partitions) {
          const read = this.active.get(keyOf(topic, partition));
          if (read) consumer.seek({ topic, partition, offset: String(read.next) });
          else idle.push({ topic, partition });
        }
      }
      if (idle.length > 0) consumer.pause(byTopic(idle));
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (this.consumer === consumer) this.consumer = undefined;
      this.current?.fail(new StorageError(`Kafka consumer crashed: ${payload.error.message}`, { cause: payload.error }));
    });
    // A batch of nothing but control records (transaction markers) never reaches eachBatch; its end
    // offset may still complete a range.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0 && payload.lastOffset !== null) this.reached(consumer, payload.topic, payload.partition, Number(payload.lastOffset) + 1);
    });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: true, eachBatch: (payload) => this.onBatch(consumer, payload) });
    } catch (e) {
      await consumer.disconnect().catch(() => {});
      throw new StorageError(`Kafka consumer could not start: ${(e as Error).message}`, { cause: e });
    }
    this.consumer = consumer;
    return consumer;
  }

  private async onBatch(consumer: Consumer, { batch, heartbeat }: EachBatchPayload): Promise<void> {
    const { topic, partition } = batch;
    const read = this.active.get(keyOf(topic, partition));
    const current = this.current;
    if (!read || !current) {
      // Not part of a read (fetched before a pause took effect): leave it for a later seek.
      consumer.pause([{ topic, partitions: [partition] }]);
      return;
    }
    // kafkajs keeps the offset a batch was fetched from (not in its types). A batch from beyond `next`
    // would skip records: never expected (positions only move by seeks to `next` and by delivery), but
    // if it happens, refetch from `next` rather than lose them.
    const fetchedFrom = Number((batch as unknown as { fetchedOffset?: string }).fetchedOffset);
    const start = read.next;
    if (fetchedFrom > start) {
      consumer.seek({ topic, partition, offset: String(start) });
      return;
    }
    const records: SourceRecord[] = [];
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      if (offset < read.next) continue;
      if (offset >= read.range.to) break;
      records.push({ topic, partition, offset, key: m.key ? m.key.toString() : null, value: m.value ? m.value.toString() : null, timestampMs: Number(m.timestamp) });
    }
    if (records.length > 0) {
      try {
        await current.onBatch(records);
      } catch (e) {
        current.fail(new OnBatchError(e));
        return;
      }
      read.next = records[records.length - 1]!.offset + 1;
      current.lastProgress = Date.now();
    }
    // A batch is the log from where it was fetched (at or before `start`) to its last offset, which counts
    // filtered records too (control records, aborted transactions): a range may end on one of those, or
    // in a gap. Without the fetch offset, only a batch that delivered `start` itself is known to be that.
    const contiguous = Number.isFinite(fetchedFrom) || records[0]?.offset === start;
    this.reached(consumer, topic, partition, contiguous ? Math.max(read.next, Number(batch.lastOffset()) + 1) : read.next);
    await heartbeat();
  }

  /** The partition has delivered everything below `end`: complete its range when that covers it. */
  private reached(consumer: Consumer, topic: string, partition: number, end: number): void {
    const key = keyOf(topic, partition);
    const read = this.active.get(key);
    if (!read || end < read.range.to) return;
    read.next = read.range.to;
    this.active.delete(key);
    consumer.pause([{ topic, partitions: [partition] }]);
    if (this.active.size === 0) this.current?.finish();
  }

  private async stopConsumer(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    this.assignment = {};
    if (consumer) await consumer.disconnect().catch(() => {});
  }
}

/** The caller's onBatch failed: the read fails with that error, the consumer itself is fine. */
class OnBatchError extends Error {
  constructor(cause: unknown) {
    super('onBatch failed', { cause });
  }
}
