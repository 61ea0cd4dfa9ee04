/**
 * Pipeline benchmark on generated data (simulator/landing-generator.ts): a landing zone with N_READINGS
 * heart-rate readings at 1 Hz in Kafka-dump files of ~1M lines, plus registrations, gym logins,
 * profiles and workouts, goes through the whole pipeline once on a fresh lake on local disk.
 *
 *   npx tsx bench/pipeline-generated.ts [--readings 10000000] [--users 200] [--seed 7] [--reuse] [--keep] [--threads N]
 *     [--order random|time] [--layout python|canonical] [--files one|many] [--conflicts]
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
 * check after the run is the same: the shape must not change a single row. --conflicts adds exact copies
 * and conflicting readings of ~1% of the instants (conflicts.ts); the check then expects the spec's
 * choice among them (verify-generated.ts). bench/whole-process.ts measures the `fitlake` command itself.
 */
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runPipeline } from '../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import { scratchLake } from '../simulator/scratch-lake.ts';
import { cachedLandingDir, generatedLanding, reshapedLanding, shapeLabel, shapesFromArgs } from './landing-shapes.ts';
import { verifyGenerated } from './verify-generated.ts';
import { generatorFromArgs } from './args.ts';
import { cpuTicksNow, stealSince } from './cpu-steal.ts';
import { cpuSecondsSince, formatTimings, gcMode, memoryNow, peakRssMiB, threadsFromArgs, timedSteps, type StepTiming } from './pipeline-timing.ts';

async function main(): Promise<void> {
  const generator = generatorFromArgs();
  const { seed } = generator;
  const keep = process.argv.includes('--keep');
  const reuse = process.argv.includes('--reuse');
  const threads = threadsFromArgs();
  const shapes = shapesFromArgs();
  if (shapes && shapes.length > 1) throw new Error('one shape at a time here (bench/whole-process.ts takes lists)');
  const shape = shapes?.[0];
  const { dir, lake, ctx, landingDir: freshLanding } = await scratchLake('fitlake-bench-gen-', threads);
  const landingDir = reuse ? cachedLandingDir(generator) : freshLanding;
  if (reuse) ctx.landing = new LocalObjectStore(landingDir);
  try {
    let started = performance.now();
    const { landing } = await generatedLanding(landingDir, generator, reuse);
    if (shape) {
      // The same records, reshaped once per shape (kept beside the generated zone with --reuse).
      const shaped = reshapedLanding(landingDir, shape, reuse);
      if (shaped.seconds > 0) console.log(`reshaped to ${shapeLabel(shape)} in ${shaped.seconds.toFixed(1)} s (not counted)`);
      ctx.landing = new LocalObjectStore(shaped.dir);
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
        `(bpm lines in / pipeline time), peak RSS ${peakRssMiB().toFixed(0)} MiB; process CPU ${cpuSeconds.toFixed(2)} s, ${threads?.size ?? 0} worker thread(s), ${gcMode()} GC, load average ${os.loadavg()[0]!.toFixed(1)}, ${stealSince(ticks)}`,
    );
    console.log(`memory after the pipeline (main thread): ${memoryNow()}`);
    console.log('peers (10M readings): DuckDB ~394,000 readings/s, 3.6 GB; target >= 500,000 readings/s, < 1 GiB');

    started = performance.now();
    console.log(`verified: ${await verifyGenerated(lake, landing, { seed, conflicts: shape?.conflicts ?? false })} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  } finally {
    if (keep) console.log(`kept ${path.join(dir)}`);
    else await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error('BENCHMARK FAILED:', error);
  process.exitCode = 1;
});
