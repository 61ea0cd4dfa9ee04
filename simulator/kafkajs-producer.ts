/** RecordProducer over kafkajs: an idempotent producer (no duplicates from its own retries) and an admin client for topics. */
import { Kafka, logLevel, Partitioners, type Admin, type Producer } from 'kafkajs';
import { KafkaUnavailableError, type RecordProducer, type TopicMessages } from './kafka-producer.ts';

export interface KafkajsProducerOptions {
  brokers: string[];
  /** @default 'fitlake-simulator' */
  clientId?: string;
  /** Give up connecting after this long per attempt. @default 5000 */
  connectionTimeoutMs?: number;
}

/** A connected kafkajs producer; create with KafkajsProducer.connect. */
export class KafkajsProducer implements RecordProducer {
  private constructor(
    private readonly admin: Admin,
    private readonly producer: Producer,
  ) {}

  /** Connect to the brokers; throws KafkaUnavailableError when none can be reached. */
  static async connect({ brokers, clientId = 'fitlake-simulator', connectionTimeoutMs = 5000 }: KafkajsProducerOptions): Promise<KafkajsProducer> {
    // Few connection retries: an unreachable broker should be reported in seconds, not minutes. No
    // kafkajs logging: its lines would mix with --json output; failures surface as errors instead.
    const kafka = new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING, connectionTimeout: connectionTimeoutMs, retry: { retries: 2 } });
    const admin = kafka.admin();
    // The default partitioner (murmur2 of the key, as the Java client): one device's readings stay in one partition, in order.
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    try {
      await admin.connect();
      await producer.connect();
    } catch (e) {
      await producer.disconnect().catch(() => undefined);
      await admin.disconnect().catch(() => undefined);
      throw new KafkaUnavailableError(brokers, `Kafka at ${brokers.join(',')} is not reachable: ${(e as Error).message}`, { cause: e });
    }
    return new KafkajsProducer(admin, producer);
  }

  async ensureTopics(topics: readonly string[]): Promise<void> {
    const existing = new Set(await this.admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return;
    // Simulated and replayed records carry their event times (SBIT's are from 2023) as record timestamps,
    // which time-based retention (7 days by default) would delete at the broker's next check, before a
    // pipeline has read them: the topics made here keep their records until deleted. Topics that exist
    // already keep their own settings.
    await this.admin.createTopics({ topics: missing.map((topic) => ({ topic, configEntries: [{ name: 'retention.ms', value: '-1' }] })), waitForLeaders: true });
  }

  async send(batch: readonly TopicMessages[]): Promise<void> {
    const topicMessages = batch
      .filter((t) => t.messages.length > 0)
      .map((t) => ({ topic: t.topic, messages: t.messages.map((m) => ({ key: m.key, value: m.value, timestamp: String(m.timestampMs) })) }));
    if (topicMessages.length > 0) await this.producer.sendBatch({ topicMessages, acks: -1 });
  }

  async close(): Promise<void> {
    try {
      await this.producer.disconnect();
    } finally {
      await this.admin.disconnect();
    }
  }
}
