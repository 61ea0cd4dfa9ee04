/**
 * Pipeline benchmark on the SBIT reference set (../shared/sbit): set 1 then set 2 land in a fresh lake
 * on local disk, the whole pipeline runs after each, and the result is checked against the README's
 * gold rows (any difference fails the run with exit code 1).
 *
 *   npx tsx bench/pipeline-sbit.ts [--repeat N] [--threads N]
 *
 * Prints per-step wall time, the pipeline time of both sets (copying files into the landing zone is
 * not counted), bronze records/s and peak RSS. With --repeat, each repetition uses a new lake and the
 * best total is reported too (the first run also pays for module loading and JIT warm-up).
 * Peers measured on this machine: Spark 68 s for the whole process, DuckDB 1.0 s.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gymSummary, heartRate, quarantineRecords, workoutBpm, workoutBpmSummary } from '../schema/tables.ts';
import { runPipeline } from '../lakehouse/steps/run-pipeline.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import { formatDate } from '../lakehouse/time.ts';
import { landSbitSet, SBIT_DIR } from '../test/support/sbit.ts';
import { makeTestLake } from '../test/support/pipeline.ts';
import { GYM_SUMMARY_LINES } from '../test/support/sbit-expected.ts';
import { cpuTicksNow, stealSince } from './cpu-steal.ts';
import { bronzeRecordsIn, cpuSecondsSince, formatTimings, gcMode, peakRssMiB, threadsFromArgs, timedSteps, type StepTiming } from './pipeline-timing.ts';

/** The README's gold gym_summary after set 2; the first 8 rows are the result after set 1. */
const GYM_SUMMARY = GYM_SUMMARY_LINES;

async function verify(lake: Lake, set: 1 | 2): Promise<void> {
  const rows = await (await lake.table(gymSummary)).rows();
  const lines = rows
    .map((r) => `${formatDate(r.date as number)} ${r.gym} ${r.mac_address} ${r.workout_id} ${r.session_id} ${(r.minutes_in_gym as number).toFixed(1)} ${(r.minutes_exercising as number).toFixed(1)}`)
    .sort();
  assert.deepEqual(lines, set === 1 ? GYM_SUMMARY.slice(0, 8) : GYM_SUMMARY, `gym_summary after set ${set}`);

  const summary = await (await lake.table(workoutBpmSummary)).rows();
  assert.equal(summary.length, 1, `workout_bpm_summary rows after set ${set}`);
  const row = summary[0]!;
  assert.deepEqual(
    { user_id: row.user_id, workout_id: row.workout_id, session_id: row.session_id, age: row.age, gender: row.gender, city: row.city, state: row.state, num_recordings: row.num_recordings },
    { user_id: 12474, workout_id: 1, session_id: 1, age: '75-85', gender: 'M', city: 'San Fernando', state: 'CA', num_recordings: 3900 },
    `workout_bpm_summary after set ${set}`,
  );
  assert.equal(row.min_bpm, 35.003105735835994, 'min_bpm');
  assert.equal(row.max_bpm, 94.98191173214704, 'max_bpm');
  assert.ok(Math.abs((row.avg_bpm as number) - 64.64236486026886) < 1e-9, `avg_bpm ${row.avg_bpm}`);
  assert.equal(await (await lake.table(heartRate)).count(), 253_801, 'heart_rate rows');
  assert.equal(await (await lake.table(workoutBpm)).count(), 3_900, 'workout_bpm rows');
  assert.equal(await (await lake.table(quarantineRecords)).count(), 0, 'quarantined records');
}

/** One benchmark run on a fresh lake; returns the pipeline milliseconds of both sets. */
async function runOnce(label: string): Promise<number> {
  const { dir, lake, ctx, landingDir } = await makeTestLake('fitlake-bench-sbit-');
  let pipelineMs = 0;
  let records = 0;
  let cpuSeconds = 0;
  const ticks = cpuTicksNow();
  try {
    for (const set of [1, 2] as const) {
      await landSbitSet(SBIT_DIR, landingDir, set);
      const timings: StepTiming[] = [];
      const started = performance.now();
      const cpu = process.cpuUsage();
      await runPipeline(ctx, timedSteps(timings));
      const ms = performance.now() - started;
      cpuSeconds += cpuSecondsSince(cpu);
      pipelineMs += ms;
      records += bronzeRecordsIn(timings);
      console.log(`${label} set ${set}: pipeline ${ms.toFixed(0)} ms`);
      console.log(formatTimings(timings));
      await verify(lake, set);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(`${label}: both sets ${(pipelineMs / 1000).toFixed(3)} s, ${Math.round(records / (pipelineMs / 1000)).toLocaleString('en-US')} bronze records/s, peak RSS ${peakRssMiB().toFixed(0)} MiB; process CPU ${cpuSeconds.toFixed(2)} s, load average ${os.loadavg()[0]!.toFixed(1)}, ${stealSince(ticks)}\n`);
  return pipelineMs;
}

async function main(): Promise<void> {
  if (!existsSync(path.join(SBIT_DIR, 'README.md'))) throw new Error(`the SBIT reference set is not at ${SBIT_DIR}`);
  const at = process.argv.indexOf('--repeat');
  const repeat = at >= 0 ? Number(process.argv[at + 1]) : 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat needs a positive integer');
  console.log(`worker threads: ${threadsFromArgs()}, ${gcMode()} GC`);
  const totals: number[] = [];
  for (let i = 1; i <= repeat; i++) totals.push(await runOnce(repeat > 1 ? `run ${i}` : 'run'));
  const best = Math.min(...totals);
  console.log(`pipeline time, both sets: first ${(totals[0]! / 1000).toFixed(3)} s, best ${(best / 1000).toFixed(3)} s of ${repeat}; peak RSS ${peakRssMiB().toFixed(0)} MiB`);
  console.log('peers on this machine: Spark 68 s (whole process), DuckDB 1.0 s; target < 2 s');
}

main().catch((error: unknown) => {
  console.error('BENCHMARK FAILED:', error);
  process.exitCode = 1;
});
