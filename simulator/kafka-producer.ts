/**
 * What the simulator needs from a Kafka client, as a small interface of our own: kafkajs sits behind
 * it (kafkajs-producer.ts) and can be swapped without touching the sinks.
 */
import { FitlakeError, type FitlakeErrorOptions } from '../lakehouse/errors.ts';

/** One message: key and value as text, record time in milliseconds since the epoch. */
export interface OutgoingMessage {
  key: string | null;
  value: string;
  timestampMs: number;
}

/** Messages for one topic. */
export interface TopicMessages {
  topic: string;
  messages: readonly OutgoingMessage[];
}

/** A connected producer. */
export interface RecordProducer {
  /** Create the topics that do not exist yet (broker defaults for partitions and replication). */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /** Send the messages, acknowledged by all in-sync replicas, in order per topic-partition. */
  send(batch: readonly TopicMessages[]): Promise<void>;
  /** Flush and disconnect. */
  close(): Promise<void>;
}

/** The broker could not be reached (connection refused, no broker answered in time). */
export class KafkaUnavailableError extends FitlakeError {
  /** The bootstrap servers that were tried. */
  readonly brokers: readonly string[];

  constructor(brokers: readonly string[], message: string, options?: FitlakeErrorOptions) {
    super(message, true, options);
    this.brokers = brokers;
  }
}
