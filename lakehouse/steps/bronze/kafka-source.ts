/**
 * What the bronze Kafka step needs from a broker, as a small interface of our own: the kafkajs client
 * behind it (lakehouse/sources/kafkajs-source.ts) can be swapped without touching the step.
 */

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  /** Null for a tombstone. */
  value: string | null;
  /** Record time, milliseconds since the epoch (Kafka's unit). */
  timestampMs: number;
}

export interface PartitionRange {
  topic: string;
  partition: number;
  /** First offset to read. */
  from: number;
  /** Read up to, not including, this offset. */
  to: number;
}

export interface KafkaSource {
  /** Per topic-partition: the log start offset and the high watermark (next offset to be written). */
  watermarks(topics: readonly string[]): Promise<{ topic: string; partition: number; low: number; high: number }[]>;
  /** Deliver every record of the ranges in offset order per partition, in batches. */
  read(ranges: readonly PartitionRange[], onBatch: (records: SourceRecord[]) => Promise<void>): Promise<void>;
  /** Release connections kept between calls (whoever created the source calls it, once). */
  close?(): Promise<void>;
}
