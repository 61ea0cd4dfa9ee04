import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers, uniqueName } from '../support/stack.ts';

test('a batch of messages round-trips through the broker with kafkajs', async (t) => {
  const brokers = kafkaBrokers(t);
  if (!brokers) return;
  const kafka = new Kafka({ clientId: 'fitlake-smoke', brokers, logLevel: logLevel.ERROR });
  const topic = uniqueName('smoke');
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: uniqueName('smoke-group') });
  await admin.connect();
  await producer.connect();
  await consumer.connect();
  try {
    assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true }), true);
    const sent = Array.from({ length: 500 }, (_, i) => ({ key: `device-${i % 7}`, value: JSON.stringify({ i, heartrate: 60 + (i % 40) }) }));
    await producer.send({ topic, messages: sent });

    const received: { key: string; value: string; partition: number; offset: string }[] = [];
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${sent.length} within 30 s`)), 30_000);
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key!.toString(), value: message.value!.toString(), partition, offset: message.offset });
          if (received.length === sent.length) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await done;

    // Every message arrives exactly once, and one key always lands in one partition, in send order.
    assert.deepEqual(received.map((m) => m.value).sort(), sent.map((m) => m.value).sort());
    for (const key of new Set(sent.map((m) => m.key))) {
      const ofKey = received.filter((m) => m.key === key);
      assert.equal(new Set(ofKey.map((m) => m.partition)).size, 1, `key ${key} spread over partitions`);
      const order = ofKey.map((m) => (JSON.parse(m.value) as { i: number }).i);
      assert.deepEqual(order, [...order].sort((a, b) => a - b));
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    assert.equal(offsets.reduce((n, p) => n + Number(p.high), 0), sent.length);
  } finally {
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
