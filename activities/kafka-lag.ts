/**
 * How far the lake is behind the broker, per topic-partition: the high watermark now minus the offset
 * the bronze Kafka step's last commit reads on from (its `txn` checkpoint). Read after the step, from
 * the same two things the step plans with (the broker's watermarks, the bronze table's txns), so it is
 * what the next run would find to ingest.
 */
import { kafkaMultiplexBz } from '../schema/tables.ts';
import { partitionTxnId } from '../lakehouse/steps/bronze/kafka-topics.ts';
import type { KafkaSource } from '../lakehouse/steps/bronze/kafka-source.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Records on the broker the lake has not ingested yet. */
  lag: number;
}

/** The lag of every partition of `topics` that exists on the broker. */
export async function kafkaLag(lake: Lake, kafka: KafkaSource, topics: readonly string[]): Promise<PartitionLag[]> {
  const [watermarks, table] = await Promise.all([kafka.watermarks(topics), lake.table(kafkaMultiplexBz)]);
  const txns = table.snapshot.txns;
  return watermarks.map((w) => {
    // Records the broker deleted before the lake read them (retention) cannot be ingested any more:
    // counting them as lag would show a backlog that never drains.
    const next = Math.max(txns.get(partitionTxnId(w.topic, w.partition)) ?? 0, w.low);
    return { topic: w.topic, partition: w.partition, lag: Math.max(0, w.high - next) };
  });
}
