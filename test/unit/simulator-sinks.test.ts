/**
 * The sinks without a broker: the Kafka sink against an in-memory producer (keys, raw values, record
 * times in milliseconds, bounded batches, topics created before their first send, CSV exports to the
 * landing zone), the landing sink's atomic files, and the SBIT replay in both directions.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { parseKafkaDumpLine } from '../../lakehouse/parse/kafka-dump.ts';
import { parseBpm } from '../../lakehouse/parse/payloads.ts';
import {
  createSimulation,
  KafkaSink,
  LandingSink,
  replaySbitToKafka,
  replaySbitToLanding,
  runSimulation,
  sbitSetFiles,
  type RecordProducer,
  type SimRecord,
  type TopicMessages,
} from '../../simulator/index.ts';
import { SBIT_DIR } from '../support/sbit.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-sim-'));
  dirs.push(dir);
  return dir;
}

/** A producer that keeps what it is sent, checking the order of calls. */
class MemoryProducer implements RecordProducer {
  readonly topics = new Set<string>();
  readonly sends: TopicMessages[][] = [];
  closed = false;

  async ensureTopics(topics: readonly string[]): Promise<void> {
    for (const t of topics) this.topics.add(t);
  }

  async send(batch: readonly TopicMessages[]): Promise<void> {
    assert.equal(this.closed, false);
    for (const t of batch) assert.ok(this.topics.has(t.topic), `send to ${t.topic} before it was ensured`);
    this.sends.push(batch.map((t) => ({ topic: t.topic, messages: [...t.messages] })));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  messages(topic: string) {
    return this.sends.flatMap((b) => b.filter((t) => t.topic === topic).flatMap((t) => t.messages));
  }
}

describe('KafkaSink', () => {
  it('sends the streams with keys, raw values and millisecond record times; CSVs land as files', async () => {
    const root = await tempDir();
    const producer = new MemoryProducer();
    const simulation = createSimulation({ users: 3, days: 1, seed: 8, imperfections: 0.05, wearHours: 2 });
    const { manifest, report } = await runSimulation(simulation, new KafkaSink({ producer, files: new LandingSink({ root }), topicPrefix: 'p.', batchSize: 1000 }));
    assert.equal(producer.closed, true);
    assert.equal(manifest.sink, 'kafka');
    for (const batch of producer.sends) assert.ok(batch.reduce((n, t) => n + t.messages.length, 0) <= 1000);

    assert.deepEqual(report.messages, {
      'p.user_info': manifest.sources.user_info.records,
      'p.workout': manifest.sources.workout.records,
      'p.bpm': manifest.sources.bpm.records,
      'p.device_status': manifest.sources.other_topics.records,
    });
    // Topics fitlake does not read are not seen by the pipeline: quarantined are the other malformed records.
    assert.equal(manifest.quarantined, manifest.malformed - manifest.imperfections.unknown_topic);
    assert.equal(manifest.steps.bronze_kafka!.recordsIn, manifest.sources.user_info.records + manifest.sources.workout.records + manifest.sources.bpm.records);

    const devices = new Set(simulation.users.map((u) => String(u.deviceId)));
    let refused = 0;
    for (const m of producer.messages('p.bpm')) {
      assert.ok(devices.has(m.key!), m.key!);
      const parsed = parseBpm(m.value);
      if (!parsed.ok) {
        refused++;
        continue;
      }
      assert.equal(m.timestampMs * 1000, parsed.row.time, 'record time = reading time, in ms');
      assert.equal(String(parsed.row.device_id), m.key);
    }
    assert.equal(refused, manifest.sources.bpm.quarantined);
    for (const m of producer.messages('p.workout')) assert.ok(simulation.users.some((u) => String(u.userId) === m.key));

    // Only the CSV exports went to files.
    assert.deepEqual((await readdir(root)).sort(), ['gym_logins', 'registered_users']);
    assert.deepEqual(report.files.map((f) => f.key).sort(), ['gym_logins/gym_logins-sim-0001.csv', 'registered_users/registered_users-sim-0001.csv']);
  });
});

describe('LandingSink', () => {
  it('shows a file only once it is complete, and leaves nothing behind when aborted', async () => {
    const root = await tempDir();
    const sink = new LandingSink({ root, tag: 'x', linesPerFile: 3 });
    const reading = (time: number): SimRecord => ({ kind: 'stream', stream: 'bpm', topic: 'bpm', key: '1', value: `{"device_id":1,"time":${time},"heartrate":60}`, time, fault: null });
    await sink.write([reading(1), reading(2)]);
    // Written so far, but under a temp name the landing zone's listing skips.
    const visible = async () => (await readdir(path.join(root, 'kafka'))).filter((f) => !f.endsWith('.fitlake-tmp'));
    assert.deepEqual(await visible(), []);
    await sink.write([reading(3), reading(4)]);
    assert.deepEqual(await visible(), ['bpm-x-0001.json']);
    const lines = (await readFile(path.join(root, 'kafka', 'bpm-x-0001.json'), 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((l) => {
        const r = parseKafkaDumpLine(l);
        return r.ok ? [r.record.offset, r.record.timestampMicros] : r.reason;
      }),
      [
        [0, 1_000_000],
        [1, 2_000_000],
        [2, 3_000_000],
      ],
    );
    await sink.abort();
    assert.deepEqual(await readdir(path.join(root, 'kafka')), ['bpm-x-0001.json']);
  });
});

describe('SBIT replay', () => {
  const sbit = (t: TestContext) => {
    if (existsSync(path.join(SBIT_DIR, 'README.md'))) return SBIT_DIR;
    t.skip(`the SBIT reference set is not at ${SBIT_DIR}`);
    return undefined;
  };

  it('copies a set into the landing folders, byte for byte', async (t) => {
    const dir = sbit(t);
    if (!dir) return;
    const root = await tempDir();
    const replayed = await replaySbitToLanding(dir, 1, root);
    assert.deepEqual(
      replayed.map((f) => [f.to, f.records]),
      [
        ['registered_users/1-registered_users_1.csv', 5],
        ['gym_logins/5-gym_logins_1.csv', 8],
        ['kafka/2-user_info_1.json', 7],
        ['kafka/4-workout_1.json', 16],
        ['kafka/3-bpm_1.json', 253_801],
      ],
    );
    for (const f of sbitSetFiles(1)) assert.equal((await stat(path.join(root, f.folder, f.file))).size, (await stat(path.join(dir, f.file))).size);
  });

  it('publishes a set’s dumps with keys and record times (seconds × 1000) and lands its CSVs', async (t) => {
    const dir = sbit(t);
    if (!dir) return;
    const root = await tempDir();
    const producer = new MemoryProducer();
    const replayed = await replaySbitToKafka(dir, 2, root, producer, { topicPrefix: 'r.' });
    assert.deepEqual(
      replayed.map((f) => [f.file, f.to, f.records]),
      [
        ['1-registered_users_2.csv', 'registered_users/1-registered_users_2.csv', 5],
        ['5-gym_logins_2.csv', 'gym_logins/5-gym_logins_2.csv', 8],
        ['2-user_info_2.json', 'r.user_info', 6],
        ['4-workout_2.json', 'r.workout', 16],
      ],
    );
    const first = producer.messages('r.user_info')[0]!;
    assert.equal(first.key, '14633');
    assert.equal(first.timestampMs, 1678538830_000);
    assert.equal(producer.messages('r.workout').length, 16);
    assert.deepEqual((await readdir(root)).sort(), ['gym_logins', 'registered_users']);
  });
});
