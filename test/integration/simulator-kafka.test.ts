/**
 * The simulator and the SBIT replay against the real broker. The pipeline reads the fixed topics
 * user_info, workout and bpm, which the SBIT acceptance test deletes and recreates, so these tests
 * publish under a unique topic prefix instead and only check that the records arrive: every message,
 * with its key and record time, and every device id of the seed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import kafkajs, { Kafka, logLevel } from 'kafkajs';
import { parseBpm } from '../../lakehouse/parse/payloads.ts';
import { createSimulation, KafkajsProducer, KafkaSink, LandingSink, replaySbitToKafka, runSimulation } from '../../simulator/index.ts';
import { sbitDir } from '../support/sbit.ts';
import { kafkaBrokers, uniqueName } from '../support/stack.ts';

interface Received {
  topic: string;
  key: string | null;
  value: string;
  timestamp: number;
}

/** Every message of the topics, read from the beginning until `expected` have arrived (or 60 s passed). */
async function consumeAll(brokers: string[], topics: string[], expected: number): Promise<Received[]> {
  const kafka = new Kafka({ clientId: uniqueName('sim-reader'), brokers, logLevel: logLevel.ERROR });
  const consumer = kafka.consumer({ groupId: uniqueName('sim-group') });
  const received: Received[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received ${received.length} of ${expected} messages within 60 s`)), 60_000);
      void consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) received.push({ topic: batch.topic, key: m.key?.toString() ?? null, value: m.value?.toString() ?? '', timestamp: Number(m.timestamp) });
          if (received.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return received;
}

async function dropTopics(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ clientId: uniqueName('sim-admin'), brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics }).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}

/** The retention.ms of each topic, as the broker describes it. */
async function retentionOf(brokers: string[], topics: string[]): Promise<(string | undefined)[]> {
  const admin = new Kafka({ clientId: uniqueName('sim-admin'), brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] })) });
    return topics.map((name) => resources.find((r) => r.resourceName === name)?.configEntries.find((e) => e.configName === 'retention.ms')?.configValue);
  } finally {
    await admin.disconnect();
  }
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-sim-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('simulate to Kafka: every record arrives with its key and record time, and every device of the seed is there', async (t) => {
  const brokers = kafkaBrokers(t);
  if (!brokers) return;
  const prefix = `${uniqueName('sim')}.`;
  const simulation = createSimulation({ users: 4, days: 1, seed: 77, imperfections: 0.02, wearHours: 2 });
  const producer = await KafkajsProducer.connect({ brokers, clientId: uniqueName('sim-producer') });
  const { manifest, report } = await runSimulation(simulation, new KafkaSink({ producer, files: new LandingSink({ root: await tempDir(t) }), topicPrefix: prefix, batchSize: 5000 }));
  const topics = Object.keys(report.messages);
  t.after(() => dropTopics(brokers, topics));
  assert.deepEqual(topics.sort(), ['bpm', 'device_status', 'user_info', 'workout'].map((s) => prefix + s));
  // Records stamped with days-old event times must not fall to the broker's time-based retention.
  assert.deepEqual(await retentionOf(brokers, topics), topics.map(() => '-1'));

  const expected = manifest.records - manifest.sources.registered_users.records - manifest.sources.gym_logins.records;
  const received = await consumeAll(brokers, topics, expected);
  assert.equal(received.length, expected);
  const perTopic: Record<string, number> = {};
  for (const m of received) perTopic[m.topic] = (perTopic[m.topic] ?? 0) + 1;
  assert.deepEqual(perTopic, report.messages);

  const devices = new Set<string>();
  let refused = 0;
  for (const m of received.filter((r) => r.topic === `${prefix}bpm`)) {
    const parsed = parseBpm(m.value);
    if (!parsed.ok) {
      refused++;
      continue;
    }
    assert.equal(m.key, String(parsed.row.device_id));
    assert.equal(m.timestamp * 1000, parsed.row.time, 'record time = reading time');
    devices.add(m.key);
  }
  assert.deepEqual([...devices].sort(), simulation.users.map((u) => String(u.deviceId)).sort());
  assert.equal(refused, manifest.sources.bpm.quarantined);
});

test('produce to Kafka: the SBIT dump records arrive with their keys and record times', async (t) => {
  const brokers = kafkaBrokers(t);
  const sbit = sbitDir(t);
  if (!brokers || !sbit) return;
  const prefix = `${uniqueName('sbit')}.`;
  const producer = await KafkajsProducer.connect({ brokers, clientId: uniqueName('sbit-producer') });
  let replayed;
  try {
    replayed = await replaySbitToKafka(sbit, 2, await tempDir(t), producer, { topicPrefix: prefix });
  } finally {
    await producer.close();
  }
  const topics = [`${prefix}user_info`, `${prefix}workout`];
  t.after(() => dropTopics(brokers, topics));
  assert.deepEqual(replayed.filter((f) => f.to.startsWith(prefix)).map((f) => f.records), [6, 16]);
  const received = await consumeAll(brokers, topics, 22);
  assert.equal(received.length, 22);
  const profile = received.find((m) => m.topic === `${prefix}user_info` && m.key === '14633')!;
  assert.equal(profile.timestamp, 1678538830_000);
  assert.equal((JSON.parse(profile.value) as { user_id: number }).user_id, 14633);
});
