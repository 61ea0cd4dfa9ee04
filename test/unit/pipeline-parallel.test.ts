/**
 * The big steps' fast paths (worker threads parsing Kafka dumps in parts and heart-rate payloads file by
 * file, chunked merges) must give the tables the plain path gives: one generated landing zone (repeated
 * readings across files, invalid ones, unregistered devices, broken lines) runs through the whole
 * pipeline twice, once in-thread with everything in one chunk, once on workers with parts and chunks cut
 * tiny, and every silver and gold table, the bronze rows and the quarantine must come out equal. The
 * generator's own plan checks workout_bpm as well.
 */
import assert from 'node:assert/strict';
import { appendFile, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import {
  completedWorkouts,
  gymLogs,
  gymSummary,
  heartRate,
  kafkaMultiplexBz,
  quarantineRecords,
  userBins,
  userProfile,
  users,
  workoutBpm,
  workoutBpmSummary,
  workouts,
} from '../../schema/tables.ts';
import { setFaultHandler } from '../../lakehouse/fault-points.ts';
import { rangeTuning } from '../../lakehouse/steps/bronze/landing-files.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { heartRateTuning } from '../../lakehouse/steps/silver/heart-rate.ts';
import { workoutBpmTuning } from '../../lakehouse/steps/silver/workout-bpm.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { WorkerPool } from '../../lakehouse/threads/pool.ts';
import { expectedWorkoutCount, generateLanding } from '../../simulator/landing-generator.ts';
import { makeTestLake, tableLines, type TestLake } from '../support/pipeline.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const defaults = { range: { ...rangeTuning }, heartRate: { ...heartRateTuning }, workoutBpm: { ...workoutBpmTuning } };

/** A new lake on `landing`. */
async function lakeOn(landing: string): Promise<TestLake> {
  const lake = await makeTestLake('fitlake-parallel-');
  dirs.push(lake.dir);
  lake.ctx.landing = new LocalObjectStore(landing);
  lake.ctx.now = () => 1_700_000_000_000;
  return lake;
}

/** The pipeline run once on `lake` with the given settings (restored afterwards). */
async function runWith(lake: TestLake, parallel: boolean): Promise<TestLake> {
  if (parallel) {
    lake.ctx.threads = new WorkerPool(2);
    Object.assign(rangeTuning, { minFileBytes: 0, partBytes: 64 * 1024 });
    Object.assign(heartRateTuning, { chunkRows: 1_500, minOffThreadBytes: 0 });
    Object.assign(workoutBpmTuning, { chunkRows: 700 });
  } else {
    delete lake.ctx.threads;
    Object.assign(rangeTuning, { minFileBytes: Number.MAX_SAFE_INTEGER });
    Object.assign(heartRateTuning, { chunkRows: Number.MAX_SAFE_INTEGER });
    Object.assign(workoutBpmTuning, { chunkRows: Number.MAX_SAFE_INTEGER });
  }
  try {
    await runPipeline(lake.ctx);
  } finally {
    await (parallel ? lake.ctx.threads?.close() : undefined);
    Object.assign(rangeTuning, defaults.range);
    Object.assign(heartRateTuning, defaults.heartRate);
    Object.assign(workoutBpmTuning, defaults.workoutBpm);
  }
  return lake;
}

test('worker threads, parts and chunks give the tables of the plain path', async () => {
  const seed = 11;
  const landingLake = await makeTestLake('fitlake-parallel-landing-');
  dirs.push(landingLake.dir);
  const landing = landingLake.landingDir;
  const plan = await generateLanding(landing, { readings: 60_000, users: 12, seed, linesPerFile: 20_000 });
  // Lines no parser takes, mid-file and at the end without a line break.
  await appendFile(path.join(landing, 'kafka', 'bpm_0001.json'), '{"key": "x", broken\n\n{"key":"1","value":"{}","topic":"nope","partition":0,"offset":1,"timestamp":1}\r\n');
  await appendFile(path.join(landing, 'kafka', 'bpm_0002.json'), '{"key":"1","value":"{\\"device_id\\":1,\\"time\\":1678406400}","topic":"bpm","partition":0,"offset":2,"timestamp":1678406400}');
  // Finished a while ago: a last line without a line break is the file's last record, not a line still being written.
  const finished = new Date(Date.now() - 3_600_000);
  await utimes(path.join(landing, 'kafka', 'bpm_0002.json'), finished, finished);

  const plain = await runWith(await lakeOn(landing), false);
  const parallel = await runWith(await lakeOn(landing), true);

  // The fast paths did run: parts make more bronze files, chunks more heart_rate files.
  const files = async (lake: TestLake, def: typeof heartRate | typeof kafkaMultiplexBz) => (await lake.lake.table(def)).snapshot.files.size;
  assert.ok((await files(parallel, kafkaMultiplexBz)) > (await files(plain, kafkaMultiplexBz)) * 5, 'bronze written in parts');
  assert.ok((await files(parallel, heartRate)) > (await files(plain, heartRate)) * 5, 'heart_rate merged in chunks');

  for (const def of [users, gymLogs, userProfile, workouts, heartRate, userBins, completedWorkouts, workoutBpm, gymSummary, workoutBpmSummary]) {
    assert.deepEqual(await tableLines(parallel.lake, def), await tableLines(plain.lake, def), `${def.layer}/${def.name}`);
  }
  const bronzeColumns = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'date', 'week_part', 'source_file'];
  assert.deepEqual(await tableLines(parallel.lake, kafkaMultiplexBz, bronzeColumns), await tableLines(plain.lake, kafkaMultiplexBz, bronzeColumns), 'bronze/kafka_multiplex_bz');
  const quarantined = await tableLines(plain.lake, quarantineRecords, ['step', 'source', 'raw', 'reason']);
  assert.deepEqual(await tableLines(parallel.lake, quarantineRecords, ['step', 'source', 'raw', 'reason']), quarantined, 'quarantine');
  assert.equal(quarantined.length, 3, 'two broken lines and a payload without a heart rate');
  for (const line of [20_001, 20_003]) assert.ok(quarantined.some((q) => q.includes(`"source":"kafka/bpm_0001.json:${line}"`)), `line ${line} in ${quarantined.join("\n")}`);
  // A refused payload is named by its record's partition and offset, read from bronze only for it.
  assert.ok(quarantined.some((q) => q.includes('"step":"silver_heart_rate","source":"kafka:bpm/0@2 in kafka/bpm_0002.json"')), quarantined.join('\n'));

  // And the rows are the planned ones: every valid reading inside a completed workout.
  const expected = plan.workouts.reduce((n, w) => n + expectedWorkoutCount(seed, w), 0);
  assert.ok(expected > 0, 'the plan has readings in workouts');
  assert.equal((await tableLines(parallel.lake, workoutBpm)).length, expected);
  assert.equal((await tableLines(parallel.lake, heartRate)).length, plan.readings);
});

test('a chunk merge that fails while the next chunk is computed fails the step, and the next run gives the same tables', async () => {
  const landingLake = await makeTestLake('fitlake-parallel-landing-');
  dirs.push(landingLake.dir);
  await generateLanding(landingLake.landingDir, { readings: 20_000, users: 6, seed: 5, linesPerFile: 10_000 });
  const plain = await runWith(await lakeOn(landingLake.landingDir), false);

  const interrupted = await lakeOn(landingLake.landingDir);
  let merges = 0;
  // The third chunk's merge fails: the second chunk's merge may still be running, the fourth being computed.
  setFaultHandler((name, detail) => {
    if (name === 'silver.merge' && detail.step === 'silver_heart_rate' && ++merges === 3) throw new Error('injected merge failure');
  });
  try {
    await assert.rejects(runWith(interrupted, true), /injected merge failure/);
  } finally {
    setFaultHandler(undefined);
  }
  assert.ok((await (await interrupted.lake.table(heartRate)).count()) > 0, 'chunks before the failure were committed');
  await runWith(interrupted, true);
  for (const def of [heartRate, workoutBpm, workoutBpmSummary]) {
    assert.deepEqual(await tableLines(interrupted.lake, def), await tableLines(plain.lake, def), `${def.layer}/${def.name}`);
  }
});

test('a big landing file is committed in segments; a run cut off at a segment reads on after the last one, line numbers and all', async () => {
  const landingLake = await makeTestLake('fitlake-parallel-landing-');
  dirs.push(landingLake.dir);
  await generateLanding(landingLake.landingDir, { readings: 30_000, users: 6, seed: 9, linesPerFile: 30_000 });
  // Broken lines in the middle of the file and at its end: their quarantine rows name lines counted
  // across segments, and a cut between a middle segment's quarantine rows and its rows is redone exactly.
  const big = path.join(landingLake.landingDir, 'kafka', 'bpm_0000.json');
  const lines = (await readFile(big, 'utf8')).split('\n');
  lines.splice(15_000, 0, '{"key": "x", broken in the middle');
  await writeFile(big, lines.join('\n'));
  await appendFile(big, '{"key": "x", broken\n' + '{"key":"1","value":"{}","topic":"nope","partition":0,"offset":1,"timestamp":1}\n');
  const plain = await runWith(await lakeOn(landingLake.landingDir), false);
  const bronzeColumns = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'date', 'week_part', 'source_file'];
  const quarantineColumns = ['step', 'source', 'raw', 'reason'];
  const segmentBytes = rangeTuning.segmentBytes;
  const bronzeCommits = async (lake: TestLake) => (await (await lake.lake.table(kafkaMultiplexBz)).history()).filter((h) => h.operation === 'WRITE').length;

  // Cut off twice: at the third segment's commit, and between a segment's quarantine rows and its rows.
  const cuts: ((name: string, location: string) => boolean)[] = [];
  let hits = 0;
  cuts.push((name, location) => name === 'commit.before' && location.includes(kafkaMultiplexBz.name) && ++hits === 3);
  let afterQuarantine = false;
  cuts.push((name, location) => {
    if (name !== 'commit.before') return false;
    const cut = afterQuarantine && location.includes(kafkaMultiplexBz.name);
    afterQuarantine = location.includes(quarantineRecords.name);
    return cut;
  });
  for (const [i, cut] of cuts.entries()) {
    const interrupted = await lakeOn(landingLake.landingDir);
    rangeTuning.segmentBytes = 256 * 1024;
    setFaultHandler((name, detail) => {
      if (cut(name, detail.location ?? '')) throw new Error(`injected cut ${i}`);
    });
    try {
      await assert.rejects(runWith(interrupted, true), new RegExp(`injected cut ${i}`));
      setFaultHandler(undefined);
      const before = await bronzeCommits(interrupted);
      if (i === 0) assert.equal(before, 2, 'two segments were committed before the cut');
      await runWith(interrupted, true);
      assert.ok((await bronzeCommits(interrupted)) > before + 1, 'the rerun went on in segments');
    } finally {
      setFaultHandler(undefined);
      rangeTuning.segmentBytes = segmentBytes;
    }
    assert.deepEqual(await tableLines(interrupted.lake, kafkaMultiplexBz, bronzeColumns), await tableLines(plain.lake, kafkaMultiplexBz, bronzeColumns), `cut ${i}: bronze`);
    const quarantined = await tableLines(plain.lake, quarantineRecords, quarantineColumns);
    assert.ok(quarantined.some((q) => q.includes('bpm_0000.json:15001')), quarantined.join('\n'));
    assert.deepEqual(await tableLines(interrupted.lake, quarantineRecords, quarantineColumns), quarantined, `cut ${i}: quarantine`);
    for (const def of [heartRate, workoutBpm, workoutBpmSummary]) assert.deepEqual(await tableLines(interrupted.lake, def), await tableLines(plain.lake, def), `cut ${i}: ${def.name}`);
  }
});
