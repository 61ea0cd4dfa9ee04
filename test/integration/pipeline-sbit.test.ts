/**
 * Acceptance of the medallion pipeline on the SBIT reference set (../shared/sbit/README.md): every count
 * and gold row listed there, for set 1 and then set 2; a third run with nothing new changes no data; and
 * set 1 fed through the real Kafka broker reaches the same silver and gold tables as the files.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import {
  completedWorkouts,
  gymLoginsBz,
  gymLogs,
  gymSummary,
  heartRate,
  kafkaMultiplexBz,
  quarantineRecords,
  registeredUsersBz,
  userBins,
  userProfile,
  users,
  workoutBpm,
  workoutBpmSummary,
  workouts,
} from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import { KafkajsSource } from '../../lakehouse/sources/kafkajs-source.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { formatDate } from '../../lakehouse/time.ts';
import { bronzeKafkaTopics, kafkaTuning } from '../../lakehouse/steps/bronze/kafka-topics.ts';
import { setFaultHandler } from '../../lakehouse/fault-points.ts';
import type { Lake } from '../../lakehouse/steps/lake.ts';
import { kafkaBrokers, uniqueName } from '../support/stack.ts';
import { landSbitSet, sbitDir } from '../support/sbit.ts';
import { makeTestLake, tableLines } from '../support/pipeline.ts';
import { GYM_SUMMARY_LINES, WORKOUT_BPM_SUMMARY } from '../../simulator/sbit-expected.ts';

const EXPECTED_COUNTS: [TableDef, number, number][] = [
  [registeredUsersBz, 5, 10],
  [gymLoginsBz, 8, 16],
  [users, 5, 10],
  [gymLogs, 8, 16],
  [userProfile, 5, 10],
  [workouts, 16, 32],
  [heartRate, 253_801, 253_801],
  [userBins, 5, 10],
  [completedWorkouts, 8, 16],
  [workoutBpm, 3_900, 3_900],
  [gymSummary, 8, 16],
  [workoutBpmSummary, 1, 1],
];

const EXPECTED_TOPIC_COUNTS: Record<string, [number, number]> = { user_info: [7, 13], workout: [16, 32], bpm: [253_801, 253_801] };

const GYM_SUMMARY = GYM_SUMMARY_LINES;

const LATEST_CITY: Record<number, string> = {
  11745: 'Long Beach',
  12140: 'Pearblossom',
  12227: 'Los Angeles',
  12474: 'San Fernando',
  13559: 'Santa Monica',
  13937: 'Toluca Lake',
  14232: 'North Hollywood',
  14508: 'Sierra Madre',
  14633: 'Gardena',
  15149: 'Los Angeles',
};

async function gymSummaryLines(lake: Lake): Promise<string[]> {
  const rows = await (await lake.table(gymSummary)).rows();
  return rows
    .map((r) => `${formatDate(r.date as number)} ${r.gym} ${r.mac_address} ${r.workout_id} ${r.session_id} ${(r.minutes_in_gym as number).toFixed(1)} ${(r.minutes_exercising as number).toFixed(1)}`)
    .sort();
}

async function assertCounts(lake: Lake, set: 1 | 2): Promise<void> {
  for (const [def, one, two] of EXPECTED_COUNTS) {
    assert.equal(await (await lake.table(def)).count(), set === 1 ? one : two, `${def.layer}/${def.name} after set ${set}`);
  }
  const bronze = await (await lake.table(kafkaMultiplexBz)).rows({ columns: ['topic'] });
  for (const [topic, [one, two]] of Object.entries(EXPECTED_TOPIC_COUNTS)) {
    assert.equal(bronze.filter((r) => r.topic === topic).length, set === 1 ? one : two, `kafka_multiplex_bz topic ${topic} after set ${set}`);
  }
}

async function assertWorkoutBpmSummary(lake: Lake): Promise<void> {
  const rows = await (await lake.table(workoutBpmSummary)).rows();
  assert.equal(rows.length, 1);
  const row = rows[0]!;
  const { avg_bpm: expectedAvg, ...exact } = WORKOUT_BPM_SUMMARY;
  const { avg_bpm: avg, ...rest } = row;
  assert.deepEqual(rest, exact);
  assert.ok(Math.abs((avg as number) - expectedAvg) < 1e-9, `avg_bpm ${avg}`);
}

test('SBIT sets 1 and 2 from landing files give every count and gold row of the reference; a run with nothing new changes no data', async (t) => {
  const sbit = sbitDir(t);
  if (!sbit) return;
  const { lake, ctx, landingDir } = await makeTestLake();

  await landSbitSet(sbit, landingDir, 1);
  const first = await runPipeline(ctx);
  await assertCounts(lake, 1);
  assert.deepEqual(await gymSummaryLines(lake), GYM_SUMMARY.slice(0, 8));
  await assertWorkoutBpmSummary(lake);
  // Counts balance: every bronze record is kept or quarantined (nothing quarantined in this clean set).
  const bronzeFiles = first.find((r) => r.step === 'bronze_kafka_files')!;
  assert.equal(bronzeFiles.recordsIn, bronzeFiles.rowsWritten + bronzeFiles.quarantined);
  assert.equal(bronzeFiles.recordsIn, 7 + 16 + 253_801);

  await landSbitSet(sbit, landingDir, 2);
  await runPipeline(ctx);
  await assertCounts(lake, 2);
  assert.deepEqual(await gymSummaryLines(lake), GYM_SUMMARY);
  await assertWorkoutBpmSummary(lake);
  const profiles = await (await lake.table(userProfile)).rows();
  assert.deepEqual(Object.fromEntries(profiles.map((p) => [p.user_id, p.city])), Object.fromEntries(Object.entries(LATEST_CITY).map(([k, v]) => [Number(k), v])));
  assert.equal(profiles.find((p) => p.user_id === 12140)!.last_name, 'Castillo');
  assert.equal(await (await lake.table(quarantineRecords)).count(), 0);

  // Nothing new: no table gains a version with data changes.
  const tables = [...new Set(STEPS.flatMap((s) => s.writes))];
  const before = new Map<string, number>();
  for (const def of tables) before.set(def.name, (await lake.table(def)).version);
  const idle = await runPipeline(ctx);
  assert.deepEqual(idle.filter((r) => r.changed).map((r) => r.step), []);
  for (const def of tables) {
    const table = await lake.table(def);
    const newer = (await table.history()).filter((h) => h.version > before.get(def.name)!);
    assert.deepEqual(newer.filter((h) => h.dataChange).map((h) => h.version), [], `${def.name} gained a data version`);
  }
});

/** Publish the records of SBIT dump files to topics with their keys and record times. */
async function produceDump(brokers: string[], files: string[], topicOf: (topic: string) => string): Promise<void> {
  const kafka = new Kafka({ clientId: 'fitlake-test-producer', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (const file of files) {
      const byTopic = new Map<string, { key: string | null; value: string; timestamp: string }[]>();
      for (const line of (await readFile(file, 'utf8')).split('\n')) {
        if (!line.trim()) continue;
        const record = JSON.parse(line) as { key: string | null; value: string; topic: string; timestamp: number };
        const topic = topicOf(record.topic);
        const list = byTopic.get(topic) ?? [];
        list.push({ key: record.key, value: record.value, timestamp: String(Math.round(record.timestamp * 1000)) });
        byTopic.set(topic, list);
      }
      for (const [topic, messages] of byTopic) {
        for (let i = 0; i < messages.length; i += 10_000) await producer.send({ topic, messages: messages.slice(i, i + 10_000) });
      }
    }
  } finally {
    await producer.disconnect();
  }
}

test('SBIT set 1 through the real Kafka broker reaches the same silver and gold tables as the files', async (t) => {
  const brokers = kafkaBrokers(t);
  const sbit = sbitDir(t);
  if (!brokers || !sbit) return;
  // The steps read the three fixed topic names; a unique prefix is not possible, so this test owns them.
  const kafka = new Kafka({ clientId: 'fitlake-test-admin', brokers, logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  await admin.connect();
  const existing = await admin.listTopics();
  const ours = ['user_info', 'workout', 'bpm'];
  if (ours.some((topic) => existing.includes(topic))) await admin.deleteTopics({ topics: ours.filter((topic) => existing.includes(topic)) });
  // The dump's records keep their 2023 record times, far beyond the broker's default time retention
  // (7 days): the broker's periodic retention check (first 30 s after it starts, then every 5 min)
  // would delete them between producing and reading whenever it happens to run in that window, leaving
  // log start = high watermark and nothing to read. Replayed history needs retention off.
  await admin.createTopics({ topics: ours.map((topic) => ({ topic, numPartitions: topic === 'bpm' ? 2 : 1, configEntries: [{ name: 'retention.ms', value: '-1' }] })), waitForLeaders: true });
  await admin.disconnect();

  await produceDump(brokers, ['2-user_info_1.json', '4-workout_1.json', '3-bpm_1.json'].map((f) => path.join(sbit, f)), (topic) => topic);

  const viaFiles = await makeTestLake();
  await landSbitSet(sbit, viaFiles.landingDir, 1);
  await runPipeline(viaFiles.ctx);

  const viaKafka = await makeTestLake();
  await landSbitSet(sbit, viaKafka.landingDir, 1);
  // Only the CSV exports land as files; the streams come from the broker.
  const { rm } = await import('node:fs/promises');
  await rm(path.join(viaKafka.landingDir, 'kafka'), { recursive: true });
  const source = new KafkajsSource({ brokers, clientId: uniqueName('fitlake-test') });
  viaKafka.ctx.kafka = source;
  try {
    const results = await runPipeline(viaKafka.ctx);
    assert.equal(results.find((r) => r.step === 'bronze_kafka')!.rowsWritten, 7 + 16 + 253_801);

    for (const def of [users, gymLogs, userProfile, workouts, heartRate, userBins, completedWorkouts, workoutBpm, gymSummary, workoutBpmSummary]) {
      assert.deepEqual(await tableLines(viaKafka.lake, def), await tableLines(viaFiles.lake, def), `${def.layer}/${def.name}`);
    }
    // A second run reads nothing again: the offsets committed with bronze are where it resumes.
    const again = await runPipeline(viaKafka.ctx);
    assert.equal(again.find((r) => r.step === 'bronze_kafka')!.recordsIn, 0);

    // The same backlog in bounded batches, cut off at the third batch's commit: the two batches before
    // it stay, and the next run reads on from there, each record exactly once.
    const batched = await makeTestLake();
    batched.ctx.kafka = source;
    const tuning = { ...kafkaTuning };
    let commits = 0;
    try {
      kafkaTuning.maxRecordsPerCommit = 50_000;
      setFaultHandler((name, detail) => {
        if (name === 'commit.before' && detail.location?.includes(kafkaMultiplexBz.name) && ++commits === 3) throw new Error('cut off at the third batch');
      });
      await assert.rejects(bronzeKafkaTopics.run(batched.ctx), /cut off at the third batch/);
      setFaultHandler(undefined);
      const bronze = await batched.lake.table(kafkaMultiplexBz);
      assert.equal(await bronze.count(), 100_000, 'two batches of 50,000 records were committed before the cut');
      const resumed = await bronzeKafkaTopics.run(batched.ctx);
      assert.equal(resumed.recordsIn, 7 + 16 + 253_801 - 100_000, 'the rerun reads only what the batches left');
      const keys = new Set<string>();
      for await (const b of (await batched.lake.table(kafkaMultiplexBz)).scan({ columns: ['topic', 'partition', 'offset'] })) {
        for (let i = 0; i < b.numRows; i++) keys.add(`${b.columns.get('topic')![i]}/${b.columns.get('partition')![i]}@${b.columns.get('offset')![i]}`);
      }
      assert.equal(keys.size, 7 + 16 + 253_801, 'every record once');
      assert.deepEqual(await tableLines(batched.lake, kafkaMultiplexBz, kafkaMultiplexBz.columns.map((c) => c.name).filter((c) => c !== 'load_time')), await tableLines(viaKafka.lake, kafkaMultiplexBz, kafkaMultiplexBz.columns.map((c) => c.name).filter((c) => c !== 'load_time')));
    } finally {
      setFaultHandler(undefined);
      Object.assign(kafkaTuning, tuning);
    }
  } finally {
    // The source keeps its connections between reads.
    await source.close();
  }
});
