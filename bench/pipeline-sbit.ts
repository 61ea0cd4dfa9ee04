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
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runPipeline } from '../lakehouse/steps/run-pipeline.ts';
import { sbitReferenceDir as SBIT_DIR } from '../devstack/paths.ts';
import type { WorkerPool } from '../lakehouse/threads/pool.ts';
import { replaySbitToLanding } from '../simulator/sbit-replay.ts';
import { scratchLake } from '../simulator/scratch-lake.ts';
import { verifySbit } from './verify-sbit.ts';
import { cpuTicksNow, stealSince } from './cpu-steal.ts';
import { bronzeRecordsIn, cpuSecondsSince, formatTimings, gcMode, peakRssMiB, threadsFromArgs, timedSteps, type StepTiming } from './pipeline-timing.ts';

/** One benchmark run on a fresh lake; returns the pipeline milliseconds of both sets. */
async function runOnce(label: string, threads: WorkerPool | undefined): Promise<number> {
  const { dir, lake, ctx, landingDir } = await scratchLake('fitlake-bench-sbit-', threads);
  let pipelineMs = 0;
  let records = 0;
  let cpuSeconds = 0;
  const ticks = cpuTicksNow();
  try {
    for (const set of [1, 2] as const) {
      await replaySbitToLanding(SBIT_DIR, set, landingDir);
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
      await verifySbit(lake, set);
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
  const threads = threadsFromArgs();
  console.log(`worker threads: ${threads?.size ?? 0}, ${gcMode()} GC`);
  const totals: number[] = [];
  for (let i = 1; i <= repeat; i++) totals.push(await runOnce(repeat > 1 ? `run ${i}` : 'run', threads));
  const best = Math.min(...totals);
  console.log(`pipeline time, both sets: first ${(totals[0]! / 1000).toFixed(3)} s, best ${(best / 1000).toFixed(3)} s of ${repeat}; peak RSS ${peakRssMiB().toFixed(0)} MiB`);
  console.log('peers on this machine: Spark 68 s (whole process), DuckDB 1.0 s; target < 2 s');
}

main().catch((error: unknown) => {
  console.error('BENCHMARK FAILED:', error);
  process.exitCode = 1;
});
