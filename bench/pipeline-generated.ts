/**
 * Pipeline benchmark on generated data (bench/generate-landing.ts): a landing zone with N_READINGS
 * heart-rate readings at 1 Hz in Kafka-dump files of ~1M lines, plus registrations, gym logins,
 * profiles and workouts, goes through the whole pipeline once on a fresh lake on local disk.
 *
 *   npx tsx bench/pipeline-generated.ts [--readings 10000000] [--users 200] [--seed 7] [--reuse] [--keep] [--threads N]
 *     [--order random|time] [--layout python|canonical] [--files one|many]
 *
 * --reuse keeps the generated landing zone in the temp folder (by size and seed) and uses it again on
 * the next run with the same arguments; the lake is always new. --keep keeps the lake.
 *
 * Prints readings/s end to end (bronze to gold; generating the files is not counted), per-step times and
 * peak RSS, then checks the output against what the generator planned: every valid reading inside a
 * completed workout of a registered device is in workout_bpm with its heart rate, nothing else is, and
 * every workout_bpm_summary row agrees with its workout_bpm group. A failed check exits with code 1.
 * Peers on this machine (10M readings): DuckDB ~394,000 readings/s with 3.6 GB peak RSS.
 *
 * --order, --layout, --files give the same records in a shape fitlake did not write itself
 * (reshape-landing.ts, run as a child process before the clock starts): heart-rate records in random
 * order, Python's json.dumps layout with heart rates as 72, 72.0 or 7.2e1, one file or many. The
 * check after the run is the same: the shape must not change a single row.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { completedWorkouts, heartRate, quarantineRecords, workoutBpm, workoutBpmSummary } from '../schema/tables.ts';
import { runPipeline } from '../lakehouse/steps/run-pipeline.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../lakehouse/storage/local-store.ts';
import { makeTestLake } from '../test/support/pipeline.ts';
import { expectedWorkoutCount, generateLanding, heartRateAt, type GeneratedLanding, type PlannedWorkout } from './generate-landing.ts';
import { cpuTicksNow, stealSince } from './cpu-steal.ts';
import { cpuSecondsSince, formatTimings, gcMode, memoryNow, peakRssMiB, threadsFromArgs, timedSteps, type StepTiming } from './pipeline-timing.ts';

function numberArg(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]?.replaceAll('_', ''));
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} needs a positive integer`);
  return value;
}

const groupKey = (user: number, workout: number, session: number) => `${user}/${workout}/${session}`;

/** Check the lake against the generator's plan; throws (AssertionError) at the first difference. */
async function verify(lake: Lake, seed: number, landing: GeneratedLanding): Promise<string> {
  const planned = new Map<string, PlannedWorkout>(landing.workouts.map((w) => [groupKey(w.user, w.workout, w.session), w]));
  assert.equal(await (await lake.table(quarantineRecords)).count(), 0, 'quarantined records');
  assert.equal(await (await lake.table(heartRate)).count(), landing.readings, 'heart_rate rows (one per device and second)');
  assert.equal(await (await lake.table(completedWorkouts)).count(), planned.size, 'completed_workouts rows');

  // workout_bpm, streamed: each row inside its planned window with the device's reading of that second.
  const groups = new Map<string, { n: number; min: number; max: number; sum: number }>();
  let rows = 0;
  for await (const batch of (await lake.table(workoutBpm)).scan()) {
    const col = (name: string) => batch.columns.get(name) as readonly number[];
    const [user, workout, session, start, end, time, hr] = ['user_id', 'workout_id', 'session_id', 'start_time', 'end_time', 'time', 'heartrate'].map(col) as [
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
    ];
    for (let i = 0; i < batch.numRows; i++) {
      const key = groupKey(user[i]!, workout[i]!, session[i]!);
      const w = planned.get(key);
      assert.ok(w, `workout_bpm holds a reading of ${key}, which is not a completed workout`);
      assert.equal(start[i], w.start * 1e6, `start_time of ${key}`);
      assert.equal(end[i], w.end * 1e6, `end_time of ${key}`);
      const t = time[i]! / 1e6;
      assert.ok(Number.isInteger(t) && t > w.start && t <= w.end, `reading at ${t} outside ${key} (${w.start}, ${w.end}]`);
      assert.equal(hr[i], heartRateAt(seed, w.device, t), `heart rate of device ${w.device} at ${t}`);
      const g = groups.get(key);
      if (g) {
        g.n++;
        g.min = Math.min(g.min, hr[i]!);
        g.max = Math.max(g.max, hr[i]!);
        g.sum += hr[i]!;
      } else groups.set(key, { n: 1, min: hr[i]!, max: hr[i]!, sum: hr[i]! });
      rows++;
    }
  }
  let expectedRows = 0;
  for (const [key, w] of planned) {
    const n = expectedWorkoutCount(seed, w);
    expectedRows += n;
    assert.equal(groups.get(key)?.n ?? 0, n, `workout_bpm readings of ${key}`);
  }
  assert.equal(rows, expectedRows, 'workout_bpm rows');

  // The summary agrees with workout_bpm group by group.
  const summary = await (await lake.table(workoutBpmSummary)).rows();
  assert.equal(summary.length, [...groups.values()].filter((g) => g.n > 0).length, 'workout_bpm_summary rows');
  for (const s of summary) {
    const key = groupKey(s.user_id as number, s.workout_id as number, s.session_id as number);
    const g = groups.get(key);
    assert.ok(g, `summary row ${key} without workout_bpm rows`);
    assert.equal(s.num_recordings, g.n, `num_recordings of ${key}`);
    assert.equal(s.min_bpm, g.min, `min_bpm of ${key}`);
    assert.equal(s.max_bpm, g.max, `max_bpm of ${key}`);
    assert.ok(Math.abs((s.avg_bpm as number) - g.sum / g.n) < 1e-9, `avg_bpm of ${key}: ${s.avg_bpm} vs ${g.sum / g.n}`);
  }
  return `${planned.size} completed workouts, ${rows.toLocaleString('en-US')} workout_bpm rows, ${summary.length} summary rows: all as planned`;
}

/** The reshaping asked for (order, layout, files), or undefined for the generator's own shape. */
function shapeArgs(): [string, string, string] | undefined {
  const value = (name: string, options: readonly string[]) => {
    const at = process.argv.indexOf(name);
    if (at < 0) return undefined;
    const v = process.argv[at + 1] ?? '';
    if (!options.includes(v)) throw new Error(`${name} is one of ${options.join(', ')}`);
    return v;
  };
  const order = value('--order', ['random', 'time']);
  const layout = value('--layout', ['python', 'canonical']);
  const files = value('--files', ['one', 'many']);
  if (order === undefined && layout === undefined && files === undefined) return undefined;
  return [order ?? 'time', layout ?? 'canonical', files ?? 'many'];
}

async function main(): Promise<void> {
  const readings = numberArg('--readings', 10_000_000);
  const users = numberArg('--users', 200);
  const seed = numberArg('--seed', 7);
  const linesPerFile = numberArg('--lines-per-file', 1_000_000);
  const keep = process.argv.includes('--keep');
  const reuse = process.argv.includes('--reuse');
  const threads = threadsFromArgs();
  const { dir, lake, ctx, landingDir: freshLanding } = await makeTestLake('fitlake-bench-gen-');
  const landingDir = reuse ? path.join(os.tmpdir(), `fitlake-bench-landing-${readings}-${users}-${seed}-${linesPerFile}`) : freshLanding;
  if (reuse) ctx.landing = new LocalObjectStore(landingDir);
  const planFile = path.join(landingDir, 'plan.json');
  try {
    let started = performance.now();
    let landing: GeneratedLanding;
    if (reuse && existsSync(planFile)) {
      landing = JSON.parse(await readFile(planFile, 'utf8')) as GeneratedLanding;
    } else {
      await rm(landingDir, { recursive: true, force: true });
      landing = await generateLanding(landingDir, { readings, users, seed, linesPerFile });
      // Outside every landing folder, so the pipeline never sees it.
      if (reuse) await writeFile(planFile, JSON.stringify(landing));
    }
    const shape = shapeArgs();
    if (shape) {
      // The same records, reshaped once per shape (kept beside the generated zone with --reuse).
      const shaped = `${landingDir}-${shape.join('-')}`;
      if (!(reuse && existsSync(path.join(shaped, 'kafka')))) {
        const t = performance.now();
        const run = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./reshape-landing.ts', import.meta.url)), landingDir, shaped, '--order', shape[0]!, '--layout', shape[1]!, '--files', shape[2]!], { stdio: 'inherit' });
        if (run.status !== 0) throw new Error(`reshaping the landing zone failed (exit ${run.status})`);
        console.log(`reshaped to ${shape.join(', ')} in ${((performance.now() - t) / 1000).toFixed(1)} s (not counted)`);
      }
      ctx.landing = new LocalObjectStore(shaped);
    }
    console.log(
      `${reuse ? 'reused/' : ''}generated ${landing.bpmLines.toLocaleString('en-US')} bpm lines (${landing.readings.toLocaleString('en-US')} readings, ${landing.devices} devices, ` +
        `${landing.seconds} s), ${landing.workouts.length} completed workouts, ${landing.files} files, ${(landing.bytes / 2 ** 20).toFixed(0)} MiB ` +
        `in ${((performance.now() - started) / 1000).toFixed(1)} s (not counted); RSS ${peakRssMiB().toFixed(0)} MiB peak so far`,
    );

    const timings: StepTiming[] = [];
    started = performance.now();
    const cpu = process.cpuUsage();
    const ticks = cpuTicksNow();
    await runPipeline(ctx, timedSteps(timings));
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsSince(cpu);
    console.log(formatTimings(timings));
    console.log(
      `pipeline: ${seconds.toFixed(2)} s, ${Math.round(landing.bpmLines / seconds).toLocaleString('en-US')} readings/s end to end ` +
        `(bpm lines in / pipeline time), peak RSS ${peakRssMiB().toFixed(0)} MiB; process CPU ${cpuSeconds.toFixed(2)} s, ${threads} worker thread(s), ${gcMode()} GC, load average ${os.loadavg()[0]!.toFixed(1)}, ${stealSince(ticks)}`,
    );
    console.log(`memory after the pipeline (main thread): ${memoryNow()}`);
    console.log('peers (10M readings): DuckDB ~394,000 readings/s, 3.6 GB; target >= 500,000 readings/s, < 1 GiB');

    started = performance.now();
    console.log(`verified: ${await verify(lake, seed, landing)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    if (keep) console.log(`kept ${path.join(dir)}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('BENCHMARK FAILED:', error);
  process.exitCode = 1;
});
