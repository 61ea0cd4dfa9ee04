/**
 * KafkaSource over kafkajs. Connections are long-lived: one admin client for watermarks and one consumer
 * for exact offset ranges (lakehouse/sources/kafkajs-range-reader.ts), both connected on first use and
 * kept until close(). A process that creates a source must close it (the worker does on shutdown):
 * open connections keep the process alive.
 */
import { createRequire } from 'node:module';
import type * as KafkajsModule from 'kafkajs';
import type { Admin, Kafka, KafkaConfig } from 'kafkajs';
import type { KafkaSource, PartitionRange, SourceRecord } from '../steps/bronze/kafka-source.ts';
import { StorageError } from '../errors.ts';
import { KafkajsRangeReader } from './kafkajs-range-reader.ts';

// kafkajs is loaded by the first source made, not with the worker: a run over files alone never needs it.
const require = createRequire(import.meta.url);
const kafkajs = (): typeof KafkajsModule => require('kafkajs') as typeof KafkajsModule;

export interface KafkajsSourceOptions {
  brokers: string[];
  clientId?: string;
  ssl?: KafkaConfig['ssl'];
  sasl?: KafkaConfig['sasl'];
  /** Give up on a range read that makes no progress for this long. @default 30000 */
  stallTimeoutMs?: number;
  /**
   * Longest a fetch waits on the broker for more data. Partitions with nothing left to read are paused,
   * so this is only the consumer's idle tick between reads (how soon a read's first fetch goes out). @default 50
   */
  maxWaitTimeMs?: number;
}

export class KafkajsSource implements KafkaSource {
  private readonly kafka: Kafka;
  private readonly reader: KafkajsRangeReader;
  private admin: Promise<Admin> | undefined;

  constructor(private readonly options: KafkajsSourceOptions) {
    const { Kafka, logLevel } = kafkajs();
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'fitlake',
      brokers: options.brokers,
      logLevel: logLevel.ERROR,
      ...(options.ssl ? { ssl: options.ssl } : {}),
      ...(options.sasl ? { sasl: options.sasl } : {}),
    });
    this.reader = new KafkajsRangeReader(this.kafka, { stallTimeoutMs: options.stallTimeoutMs ?? 30_000, maxWaitTimeMs: options.maxWaitTimeMs ?? 50 });
  }

  async watermarks(topics: readonly string[]) {
    try {
      const admin = await this.connectedAdmin();
      const existing = new Set(await admin.listTopics());
      const perTopic = await Promise.all(
        topics.filter((t) => existing.has(t)).map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((p) => ({ topic, partition: p.partition, low: Number(p.low), high: Number(p.high) }))),
      );
      return perTopic.flat();
    } catch (e) {
      // A broken connection is not reused: the next call connects again.
      await this.closeAdmin();
      throw new StorageError(`Kafka at ${this.options.brokers.join(',')}: ${(e as Error).message}`, { cause: e });
    }
  }

  read(ranges: readonly PartitionRange[], onBatch: (records: SourceRecord[]) => Promise<void>): Promise<void> {
    return this.reader.read(ranges, onBatch);
  }

  /** Disconnect the admin client and the consumer (a read in progress fails). */
  async close(): Promise<void> {
    await Promise.all([this.closeAdmin(), this.reader.close()]);
  }

  private connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      this.admin = admin.connect().then(() => admin);
      this.admin.catch(() => (this.admin = undefined));
    }
    return this.admin;
  }

  private async closeAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    if (admin) await admin.then((a) => a.disconnect()).catch(() => {});
  }
}
