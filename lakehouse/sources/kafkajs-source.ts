/**
 * KafkaSource over kafkajs. Exact offset ranges are read with a consumer of a fresh group (it commits
 * nothing: the lake's txn versions are the offsets of record) that seeks each partition to its start and
 * stops once every partition has reached its end.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { KafkaSource, PartitionRange, SourceRecord } from '../steps/bronze/kafka-source.ts';
import { StorageError } from '../errors.ts';

export interface KafkajsSourceOptions {
  brokers: string[];
  clientId?: string;
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  /** Give up on a range read that makes no progress for this long. @default 30000 */
  stallTimeoutMs?: number;
}

export class KafkajsSource implements KafkaSource {
  private readonly kafka: Kafka;

  constructor(private readonly options: KafkajsSourceOptions) {
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'fitlake',
      brokers: options.brokers,
      logLevel: logLevel.ERROR,
      ...(options.ssl ? { ssl: options.ssl } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
    });
  }

  async watermarks(topics: readonly string[]) {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const out: { topic: string; partition: number; low: number; high: number }[] = [];
      for (const topic of topics) {
        if (!existing.has(topic)) continue;
        for (const p of await admin.fetchTopicOffsets(topic)) out.push({ topic, partition: p.partition, low: Number(p.low), high: Number(p.high) });
      }
      return out;
    } catch (e) {
      throw new StorageError(`Kafka at ${this.options.brokers.join(',')}: ${(e as Error).message}`, { cause: e });
    } finally {
      await admin.disconnect();
    }
  }

  async read(ranges: readonly PartitionRange[], onBatch: (records: SourceRecord[]) => Promise<void>): Promise<void> {
    const todo = ranges.filter((r) => r.to > r.from);
    if (todo.length === 0) return;
    const consumer = this.kafka.consumer({ groupId: `fitlake-read-${randomUUID()}`, allowAutoTopicCreation: false });
    const remaining = new Map(todo.map((r) => [`${r.topic}:${r.partition}`, r]));
    await consumer.connect();
    let timer: NodeJS.Timeout | undefined;
    try {
      let lastProgress = Date.now();
      let failure: unknown;
      const done = new Promise<void>((resolve, reject) => {
        timer = setInterval(() => {
          if (remaining.size === 0) {
            clearInterval(timer);
            resolve();
          } else if (failure !== undefined || Date.now() - lastProgress > (this.options.stallTimeoutMs ?? 30_000)) {
            clearInterval(timer);
            reject(failure ?? new StorageError(`Kafka read stalled with ${remaining.size} partition(s) unfinished`));
          }
        }, 50);
      });
      for (const topic of new Set(todo.map((r) => r.topic))) await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          const range = remaining.get(`${batch.topic}:${batch.partition}`);
          if (!range) return;
          const records: SourceRecord[] = [];
          for (const m of batch.messages) {
            const offset = Number(m.offset);
            if (offset < range.from) continue;
            if (offset >= range.to) break;
            records.push({
              topic: batch.topic,
              partition: batch.partition,
              offset,
              key: m.key ? m.key.toString() : null,
              value: m.value ? m.value.toString() : null,
              timestampMs: Number(m.timestamp),
            });
          }
          try {
            if (records.length > 0) await onBatch(records);
          } catch (e) {
            failure = e;
            throw e;
          }
          lastProgress = Date.now();
          const last = records.length > 0 ? records[records.length - 1]!.offset : Number(batch.lastOffset());
          if (last + 1 >= range.to || Number(batch.lastOffset()) + 1 >= range.to) {
            remaining.delete(`${batch.topic}:${batch.partition}`);
            consumer.pause([{ topic: batch.topic, partitions: [batch.partition] }]);
          }
          if (batch.messages.length > 0) resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
          await heartbeat();
        },
      });
      // Start each partition exactly where its range begins.
      for (const r of todo) consumer.seek({ topic: r.topic, partition: r.partition, offset: String(r.from) });
      await done;
    } finally {
      // When subscribe, run or seek throws, nobody awaits `done`: its timer must not reject it later
      // (an unhandled rejection that would take the whole worker down).
      clearInterval(timer);
      await consumer.disconnect();
    }
  }
}
