/**
 * Records to Kafka topics: key = the id as text, value = the JSON payload (a truncated or otherwise
 * malformed one is sent raw, as a broken device would), record timestamp = event time in milliseconds.
 * Messages are sent in batches, one batch at a time, so memory stays bounded and the order of a key's
 * records is the delivery order. The CSV exports are files, not streams: they go to the landing zone
 * through the sink given for them.
 */
import type { OutgoingMessage, RecordProducer } from './kafka-producer.ts';
import { messageValue, type SimRecord } from './records.ts';
import type { Sink, SinkReport } from './sink.ts';

export interface KafkaSinkOptions {
  producer: RecordProducer;
  /** Where the CSV records go (a LandingSink). */
  files: Sink;
  /** Put before every topic name; tests use a unique one so they never touch the pipeline's topics. @default '' */
  topicPrefix?: string;
  /** Messages per send. @default 10_000 */
  batchSize?: number;
}

/** Sends records to Kafka; see the module comment. Owns the producer: close() and abort() close it. */
export class KafkaSink implements Sink {
  readonly kind = 'kafka' as const;
  private readonly producer: RecordProducer;
  private readonly files: Sink;
  private readonly topicPrefix: string;
  private readonly batchSize: number;
  private readonly buffered = new Map<string, OutgoingMessage[]>();
  private readonly ensured = new Set<string>();
  private readonly sent: Record<string, number> = {};
  private count = 0;

  constructor({ producer, files, topicPrefix = '', batchSize = 10_000 }: KafkaSinkOptions) {
    this.producer = producer;
    this.files = files;
    this.topicPrefix = topicPrefix;
    this.batchSize = batchSize;
  }

  async write(batch: readonly SimRecord[]): Promise<void> {
    const csv: SimRecord[] = [];
    for (const record of batch) {
      if (record.kind === 'csv') {
        csv.push(record);
        continue;
      }
      const topic = this.topicPrefix + record.topic;
      let list = this.buffered.get(topic);
      if (!list) this.buffered.set(topic, (list = []));
      list.push({ key: record.key, value: messageValue(record), timestampMs: record.time * 1000 });
      if (++this.count >= this.batchSize) await this.flush();
    }
    if (csv.length > 0) await this.files.write(csv);
  }

  async close(): Promise<SinkReport> {
    try {
      await this.flush();
    } finally {
      await this.producer.close();
    }
    const report = await this.files.close();
    return { files: report.files, messages: { ...this.sent } };
  }

  async abort(): Promise<void> {
    await this.producer.close().catch(() => undefined);
    await this.files.abort();
  }

  private async flush(): Promise<void> {
    if (this.count === 0) return;
    const topics = [...this.buffered.keys()].filter((t) => !this.ensured.has(t));
    if (topics.length > 0) {
      await this.producer.ensureTopics(topics);
      for (const t of topics) this.ensured.add(t);
    }
    const batch = [...this.buffered].map(([topic, messages]) => ({ topic, messages }));
    this.buffered.clear();
    this.count = 0;
    await this.producer.send(batch);
    for (const { topic, messages } of batch) this.sent[topic] = (this.sent[topic] ?? 0) + messages.length;
  }
}
