/**
 * Whole-process benchmark: the `fitlake` command as users run it, `node bin/fitlake.js run --once
 * --json --landing DIR --lake DIR` against a real Temporal dev server, timed from spawn to exit with the
 * process's peak RSS, beside the DuckDB anchor (../shared/anchors/duckdb_anchor.py) on the same landing
 * zone in the same run. bench/pipeline-generated.ts measures the steps in-process instead.
 *
 *   node --import tsx bench/whole-process.ts [--readings 10000000] [--users 200] [--seed 7] [--lines-per-file 1000000]
 *     [--reuse] [--keep] [--rounds 2] [--threads N] [--no-warm] [--no-duckdb] [--anchor FILE]
 *     [--order random|time|both|LIST] [--layout python|canonical|both|LIST] [--files one|many|both|LIST] [--conflicts]
 *   node --import tsx bench/whole-process.ts --sbit [--rounds 3] [--no-warm] [--no-duckdb]
 *
 * --sbit: both sets of the SBIT reference data (../shared/sbit) landed at once, checked against the
 * gold rows its README gives (verify-sbit.ts) instead of a generator's plan.
 *
 * Landing zones: generated (simulator/landing-generator.ts; --reuse keeps it in the temp folder by size and seed,
 * as pipeline-generated.ts does) and reshaped into every combination of the shapes asked for
 * (reshape-landing.ts, a child process, before anything is timed); none of the shape flags: the
 * generator's own shape.
 *
 * Services: a private Temporal dev server on free loopback ports with its data in this run's work
 * folder, started by the project's devstack (startStack, as `npm test` does) and stopped at the end.
 * devstack starts its whole stack at once; Kafka and Azurite are stopped again before anything is
 * timed, as a run on landing files needs neither.
 *
 * Each round, per shape: (1) `fitlake run --once --own-worker` (cold: its worker starts inside the timed
 * process), (2) the DuckDB anchor, (3) `fitlake run --once` handed to the `fitlake worker` that serves
 * the task queue (warm: one worker for the whole benchmark, started before the clock, which has run an
 * untimed warm-up run of the first shape, as a worker that runs as a service has served earlier runs;
 * the run's own process is then only a client, and the worker's peak RSS over all its runs is reported
 * at the end). fitlake and DuckDB alternate, so
 * the hour-to-hour drift of a shared machine hits both. fitlake processes run with --single-threaded-gc,
 * as bin/fitlake.js's shebang starts them. Peak RSS is each process's own VmHWM (peak-rss.ts). Each
 * run also says whether bin/fitlake.js loaded a current dist/ build or the sources through tsx.
 *
 * Prints per shape and round: wall seconds, readings/s (bpm records in / wall), peak RSS, per-step
 * seconds from the run's --json result (bronze, silver heart_rate, silver workout_bpm, gold, the others
 * together; steps of one stage run at once, so these overlap), DuckDB's wall seconds and peak RSS, the
 * ratio fitlake/DuckDB of the medians, and with both orders the random/time ratio. Every lake fitlake
 * wrote is then checked row for row against the generator's plan (verify-generated.ts); a failed check
 * or a failed run exits 1.
 */
import os from 'node:os';
import path from 'node:path';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../devstack/paths.ts';
import { stopStack } from '../devstack/services.ts';
import { startTemporal } from './private-temporal.ts';
import { openLake } from '../config/open-lake.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import type { PipelineResult, StepProgress } from '../activities/types.ts';
import { anchorReportedSeconds, duckdbPython } from './duckdb-anchor.ts';
import { cachedLandingDir, generatedLanding, reshapedLanding, shapeLabel, shapesFromArgs, type LandingShape } from './landing-shapes.ts';
import { writePeakRssHelpers, type PeakRssHelpers } from './peak-rss.ts';
import { cleanEnv, commandText, runTimed, startTimed, stopChild, tail, waitForOutput, type ChildOutcome, type RunningChild } from './timed-child.ts';
import { verifyGenerated } from './verify-generated.ts';
import { verifySbit } from './verify-sbit.ts';
import { generatorFromArgs, numberArg, stringArg } from './args.ts';
import { sbitReferenceDir as SBIT_DIR } from '../devstack/paths.ts';
import { replaySbitToLanding } from '../simulator/sbit-replay.ts';

const log = (line: string) => console.log(`[whole] ${line}`);
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const int = (n: number) => Math.round(n).toLocaleString('en-US');

/** One timed `fitlake run --once`. */
interface FitlakeRun {
  wallSeconds: number;
  /** Peak RSS of the `fitlake run` process, MiB. */
  peakRssMiB: number | undefined;
  steps: StepProgress[];
  /** What the command ran from: 'dist' (a current build) or 'tsx' (the sources, compiled at load). */
  loadedFrom: string;
  /** Heart-rate records read by silver heart_rate (repeats and conflicts included). */
  bpmRecords: number;
  lake: string;
}

interface DuckdbRun {
  wallSeconds: number;
  peakRssMiB: number | undefined;
  /** What the anchor reports for its own work (no interpreter start). */
  reportedSeconds: number | undefined;
}

interface ShapeResult {
  shape: LandingShape | undefined;
  landingDir: string;
  cold: FitlakeRun[];
  warm: FitlakeRun[];
  duckdb: DuckdbRun[];
}

/** What one benchmark run needs to start children. */
interface Bench {
  work: string;
  helpers: PeakRssHelpers;
  temporalAddress: string;
  taskQueue: string;
  threads: string[];
  env: NodeJS.ProcessEnv;
  fitlakeBin: string;
  printed: Set<string>;
  /** The `fitlake worker` serving the task queue for the warm runs, when they are measured. */
  worker?: RunningChild;
}

/** Print a command line the first time one of its kind runs, so the figures say what was measured. */
function showCommand(bench: Bench, kind: string, command: string, args: readonly string[]): void {
  if (bench.printed.has(kind)) return;
  bench.printed.add(kind);
  log(`${kind}: ${commandText(command, args, projectRoot)}`);
}

/** The JSON `fitlake run --json` prints last: the run's result. */
function runResult(out: ChildOutcome): PipelineResult & { status: string; worker?: string } {
  const start = out.stdout.search(/^\{/m);
  if (start < 0) throw new Error(`no JSON result on stdout:\n${tail(out.stdout)}\n${tail(out.stderr)}`);
  return JSON.parse(out.stdout.slice(start)) as PipelineResult & { status: string; worker?: string };
}

/** The `node … bin/fitlake.js` arguments, with the preload that reports peak RSS. */
const fitlakeArgs = (bench: Bench, command: readonly string[]) => ['--single-threaded-gc', '--import', bench.helpers.nodePreload, bench.fitlakeBin, ...command];

/**
 * Server, task queue and threads of a run or worker. Cold runs have a queue of their own: on the warm
 * worker's queue, that worker would take some of their steps.
 */
const connection = (bench: Bench, mode: 'cold' | 'warm') => ['--temporal-address', bench.temporalAddress, '--task-queue', `${bench.taskQueue}-${mode}`, ...bench.threads];

/**
 * Whether `bin/fitlake.js` will run from dist/ or through tsx right now (bin/launch.js decides by
 * whether the build matches the sources, which others may be editing while this runs, and by
 * FITLAKE_FROM_SOURCE; tsx costs a worker seconds of bundling at its start). Asked in a child with the
 * children's environment, as they will decide.
 */
function fitlakeLoadsFrom(bench: Bench): string {
  const launcher = pathToFileURL(path.join(projectRoot, 'bin', 'launch.js')).href;
  const script = `import(${JSON.stringify(launcher)}).then((m) => console.log(m.loadsFromBuild() ? 'dist' : 'tsx'))`;
  const probe = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot, env: bench.env, encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : 'unknown';
}

/** Starts the `fitlake worker` of the warm runs; ready once it says it serves the queue (its start is not a run's time). */
async function startWorker(bench: Bench): Promise<RunningChild> {
  const workerArgs = fitlakeArgs(bench, ['worker', ...connection(bench, 'warm')]);
  showCommand(bench, 'fitlake worker', 'node', workerArgs);
  const worker = await startTimed(process.execPath, workerArgs, { cwd: projectRoot, env: bench.env, peakRssFile: path.join(bench.work, 'worker.peak') });
  await waitForOutput(worker, 'worker on task queue', 120_000);
  return worker;
}

/** One timed run: cold with a worker of its own, warm handed to bench.worker (the output must say so). */
async function fitlakeRun(bench: Bench, landingDir: string, lake: string, warm: boolean): Promise<FitlakeRun> {
  const loadedFrom = fitlakeLoadsFrom(bench);
  const runArgs = fitlakeArgs(bench, ['run', '--once', '--json', ...(warm ? [] : ['--own-worker']), '--landing', landingDir, '--lake', lake, ...connection(bench, warm ? 'warm' : 'cold')]);
  showCommand(bench, warm ? 'fitlake run (warm worker)' : 'fitlake run (cold)', 'node', runArgs);
  const out = await runTimed(process.execPath, runArgs, { cwd: projectRoot, env: bench.env, peakRssFile: path.join(bench.work, 'run.peak') });
  if (out.exit !== 0) throw new Error(`fitlake run exited ${out.exit}:\n${tail(out.stdout)}\n${tail(out.stderr)}`);
  const result = runResult(out);
  if (result.status !== 'completed') throw new Error(`fitlake run ended ${result.status}`);
  if (result.worker !== (warm ? 'serving' : 'this process')) throw new Error(`a ${warm ? 'warm' : 'cold'} run ran on ${result.worker ?? 'an unknown worker'}`);
  return {
    wallSeconds: out.wallSeconds,
    peakRssMiB: out.peakRssMiB,
    steps: result.steps,
    loadedFrom,
    bpmRecords: result.steps.find((s) => s.step === 'silver_heart_rate')?.recordsIn ?? 0,
    lake,
  };
}

async function duckdbRun(bench: Bench, python: string, anchor: string, landingDir: string): Promise<DuckdbRun> {
  const out = path.join(bench.work, 'duckdb-out');
  await rm(out, { recursive: true, force: true });
  const args = [bench.helpers.pythonWrapper, anchor, landingDir, out, '--threads', String(os.availableParallelism()), '--quiet'];
  showCommand(bench, 'duckdb anchor', python, args);
  const run = await runTimed(python, args, { cwd: projectRoot, env: bench.env, peakRssFile: path.join(bench.work, 'duckdb.peak') });
  await rm(out, { recursive: true, force: true });
  if (run.exit !== 0) throw new Error(`the DuckDB anchor exited ${run.exit}:\n${tail(run.stdout)}\n${tail(run.stderr)}`);
  return { wallSeconds: run.wallSeconds, peakRssMiB: run.peakRssMiB, reportedSeconds: anchorReportedSeconds(run.stdout) };
}

/** Seconds of the steps, in the groups the figures name (a group's steps may overlap in time). */
function stepGroups(steps: readonly StepProgress[], wallSeconds: number): Record<string, number> {
  const s = (p: StepProgress) => (p.durationMs ?? 0) / 1000;
  const groups: Record<string, number> = { bronze: 0, 'silver heart_rate': 0, 'silver workout_bpm': 0, gold: 0, others: 0 };
  for (const p of steps) {
    const group = p.step.startsWith('bronze_') ? 'bronze' : p.step === 'silver_heart_rate' ? 'silver heart_rate' : p.step === 'silver_workout_bpm' ? 'silver workout_bpm' : p.step.startsWith('gold_') ? 'gold' : 'others';
    groups[group]! += s(p);
  }
  // The stages run one after the other, so the longest step of each is the time the steps take; the rest
  // of the wall time is the process and Temporal around them (start, module loading, polling, shutdown).
  const stageLongest = new Map<number, number>();
  for (const p of steps) stageLongest.set(p.stage, Math.max(stageLongest.get(p.stage) ?? 0, s(p)));
  groups['outside the steps'] = wallSeconds - [...stageLongest.values()].reduce((a, b) => a + b, 0);
  return groups;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const maxOf = (xs: readonly (number | undefined)[]) => (xs.some((x) => x === undefined) ? undefined : Math.max(...(xs as number[])));
const mib = (x: number | undefined) => (x === undefined ? 'n/a' : fmt(x, 0));

/** Width of the figures' label column. */
const LABEL = 34;

/** A row of the figures: a label, one value per round, and the median (or the maximum, for memory). */
function row(label: string, values: readonly (number | undefined)[], digits: number, summary: 'median' | 'max'): string {
  const cells = values.map((v) => (v === undefined ? 'n/a' : fmt(v, digits)).padStart(10));
  const known = values.filter((v): v is number => v !== undefined);
  const total = known.length === 0 ? 'n/a' : fmt(summary === 'median' ? median(known) : Math.max(...known), digits);
  return `    ${label.padEnd(LABEL - 2)}${cells.join('')}${total.padStart(12)}`;
}

/** What the runs read and how their lakes are checked: a generated landing zone or the SBIT sets. */
interface Subject {
  label: string;
  readings: number;
  bpmLines: number;
  verify(lake: Lake, shape: LandingShape | undefined): Promise<string>;
}

function printShape(result: ShapeResult, landing: Subject, rounds: number): void {
  const { cold, warm, duckdb } = result;
  const bpm = cold[0]?.bpmRecords ?? warm[0]?.bpmRecords ?? landing.bpmLines;
  console.log(`\n== ${result.shape ? shapeLabel(result.shape) : landing.label}: ${int(landing.readings)} readings (${int(bpm)} bpm records in, with repeats${result.shape?.conflicts ? ' and conflicts' : ''})`);
  console.log(`  ${''.padEnd(LABEL)}${Array.from({ length: rounds }, (_, i) => `round ${i + 1}`.padStart(10)).join('')}${'median/max'.padStart(12)}`);
  const fitlakeRows = (title: string, runs: FitlakeRun[]) => {
    if (runs.length === 0) return;
    console.log(`  ${title}`);
    console.log(row('wall s', runs.map((r) => r.wallSeconds), 2, 'median'));
    console.log(row('readings/s (bpm in / wall)', runs.map((r) => r.bpmRecords / r.wallSeconds), 0, 'median'));
    console.log(row('peak RSS MiB', runs.map((r) => r.peakRssMiB), 0, 'max'));
    console.log(`    ${'loaded from'.padEnd(LABEL - 2)}${runs.map((r) => r.loadedFrom.padStart(10)).join('')}`);
    const groups = runs.map((r) => stepGroups(r.steps, r.wallSeconds));
    for (const g of Object.keys(groups[0]!)) console.log(row(`  ${g} s`, groups.map((x) => x[g]), 2, 'median'));
  };
  fitlakeRows('fitlake run --once --own-worker (cold: its worker starts in the timed process)', cold);
  fitlakeRows('fitlake run --once (warm: handed to the fitlake worker serving the queue)', warm);
  if (duckdb.length > 0) {
    console.log('  DuckDB anchor (python startup included)');
    console.log(row('wall s', duckdb.map((r) => r.wallSeconds), 2, 'median'));
    console.log(row('readings/s (bpm in / wall)', duckdb.map((r) => bpm / r.wallSeconds), 0, 'median'));
    console.log(row('peak RSS MiB', duckdb.map((r) => r.peakRssMiB), 0, 'max'));
    console.log(row('  its own total s (no startup)', duckdb.map((r) => r.reportedSeconds), 2, 'median'));
    const d = median(duckdb.map((r) => r.wallSeconds));
    const dRss = maxOf(duckdb.map((r) => r.peakRssMiB));
    const ratio = (name: string, runs: FitlakeRun[], rssOf: (r: FitlakeRun) => number | undefined) => {
      if (runs.length === 0) return;
      const rss = maxOf(runs.map(rssOf));
      console.log(`  fitlake/duckdb ${name}: time ${fmt(median(runs.map((r) => r.wallSeconds)) / d)}x, peak RSS ${rss !== undefined && dRss !== undefined ? `${fmt(rss / dRss)}x` : 'n/a'}`);
    };
    ratio('cold', cold, (r) => r.peakRssMiB);
    // Warm: the worker does the work; its peak (over all its runs) is printed at the end.
    ratio('warm (time only)', warm, () => undefined);
    console.log('  (ratios of the median wall times and of the largest peak RSS)');
  }
}

/** With both orders of a layout and files: how much slower random order is than time order. */
function printOrderRatios(results: readonly ShapeResult[]): void {
  for (const random of results) {
    const s = random.shape;
    if (s?.order !== 'random') continue;
    const time = results.find((r) => r.shape && r.shape.order === 'time' && r.shape.layout === s.layout && r.shape.files === s.files && r.shape.conflicts === s.conflicts);
    if (!time) continue;
    const ratio = (a: readonly { wallSeconds: number }[], b: readonly { wallSeconds: number }[]) =>
      a.length > 0 && b.length > 0 ? `${fmt(median(a.map((r) => r.wallSeconds)) / median(b.map((r) => r.wallSeconds)))}x` : 'n/a';
    console.log(`random/time (${s.layout}, ${s.files === 'one' ? 'one file' : 'many files'}${s.conflicts ? ', conflicts' : ''}): fitlake cold ${ratio(random.cold, time.cold)}, warm ${ratio(random.warm, time.warm)}, duckdb ${ratio(random.duckdb, time.duckdb)}`);
  }
}

async function main(): Promise<number> {
  const generator = generatorFromArgs();
  const rounds = numberArg('--rounds', 2);
  const reuse = process.argv.includes('--reuse');
  const keep = process.argv.includes('--keep');
  const withWarm = !process.argv.includes('--no-warm');
  const threadsArg = stringArg('--threads');
  const anchor = path.resolve(stringArg('--anchor') ?? path.join(projectRoot, '..', 'shared', 'anchors', 'duckdb_anchor.py'));
  const sbit = process.argv.includes('--sbit');
  const shapes: (LandingShape | undefined)[] = sbit ? [undefined] : (shapesFromArgs() ?? [undefined]);

  const work = await mkdtemp(path.join(os.tmpdir(), 'fitlake-bench-whole-'));
  let stackDir: string | undefined;
  const teardown = async () => {
    const dir = stackDir;
    stackDir = undefined;
    if (bench?.worker) await stopChild(bench.worker).catch(() => undefined);
    if (dir) await stopStack(dir, log).catch((e: Error) => log(`stopping Temporal failed: ${e.message}`));
    if (!keep) await rm(work, { recursive: true, force: true });
  };
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping Temporal`);
      void teardown().then(() => process.exit(130));
    });
  }
  const failures: string[] = [];
  let bench: Bench | undefined;
  try {
    // Landing zones first: generating and reshaping are not measured, and nothing else runs meanwhile.
    let landing: Subject;
    let landingDirs: string[];
    if (sbit) {
      if (!existsSync(path.join(SBIT_DIR, 'README.md'))) throw new Error(`the SBIT reference set is not at ${SBIT_DIR}`);
      const dir = path.join(work, 'landing-sbit');
      for (const set of [1, 2] as const) await replaySbitToLanding(SBIT_DIR, set, dir);
      landing = { label: 'SBIT sets 1 and 2', readings: 253_801, bpmLines: 253_801, verify: (lake) => verifySbit(lake, 2) };
      landingDirs = [dir];
      log(`landed SBIT sets 1 and 2 from ${SBIT_DIR} into ${dir}`);
    } else {
      const generatedDir = reuse ? cachedLandingDir(generator) : path.join(work, 'landing');
      const t = performance.now();
      const { landing: generated, reused } = await generatedLanding(generatedDir, generator, reuse);
      log(
        `${reused ? 'reused' : 'generated'} ${int(generated.bpmLines)} bpm lines (${int(generated.readings)} readings, ${generated.devices} devices), ` +
          `${generated.workouts.length} completed workouts, ${(generated.bytes / 2 ** 20).toFixed(0)} MiB in ${generatedDir} (${fmt((performance.now() - t) / 1000, 1)} s, not counted)`,
      );
      landing = {
        label: 'generated',
        readings: generated.readings,
        bpmLines: generated.bpmLines,
        verify: (lake, shape) => verifyGenerated(lake, generated, { seed: generator.seed, conflicts: shape?.conflicts ?? false }),
      };
      landingDirs = shapes.map((shape) => {
        if (!shape) return generatedDir;
        const shaped = reshapedLanding(generatedDir, shape, reuse);
        log(`${shapeLabel(shape)}: ${shaped.seconds > 0 ? `reshaped in ${fmt(shaped.seconds, 1)} s (not counted)` : 'reused'} into ${shaped.dir}`);
        return shaped.dir;
      });
    }

    let duck: { python: string } | undefined;
    if (!process.argv.includes('--no-duckdb')) {
      if (!existsSync(anchor)) log(`the DuckDB anchor is skipped: ${anchor} is absent`);
      else {
        const found = duckdbPython(log);
        if ('skipped' in found) log(`the DuckDB anchor is skipped: ${found.skipped}`);
        else {
          duck = found;
          log(`DuckDB ${found.version} (${found.python})`);
        }
      }
    }

    const t = performance.now();
    const temporal = await startTemporal(work, log);
    stackDir = temporal.dir;
    log(`Temporal dev server at ${temporal.address} (data in ${temporal.dir}) ready in ${fmt((performance.now() - t) / 1000, 1)} s; Kafka and Azurite stopped (not needed for landing files)`);
    bench = {
      work,
      helpers: await writePeakRssHelpers(work),
      temporalAddress: temporal.address,
      // A queue of its own: no other worker on this server (none should exist) can take the steps.
      taskQueue: `fitlake-bench-${process.pid}`,
      threads: threadsArg === undefined ? [] : ['--threads', threadsArg],
      env: cleanEnv(),
      fitlakeBin: path.join(projectRoot, 'bin', 'fitlake.js'),
      printed: new Set(),
    };
    await mkdir(path.join(work, 'lakes'), { recursive: true });
    if (withWarm) {
      bench.worker = await startWorker(bench);
      // Untimed: a worker that runs as a service has its code loaded and compiled by earlier runs.
      const warmUp = await fitlakeRun(bench, landingDirs[0]!, path.join(work, 'lakes', 'warm-up'), true);
      await rm(warmUp.lake, { recursive: true, force: true });
      log(`fitlake worker ready and warmed up by one untimed run (${fmt(warmUp.wallSeconds)} s)`);
    }

    const results: ShapeResult[] = [];
    for (const [i, shape] of shapes.entries()) {
      const landingDir = landingDirs[i]!;
      const result: ShapeResult = { shape, landingDir, cold: [], warm: [], duckdb: [] };
      results.push(result);
      for (let round = 1; round <= rounds; round++) {
        const lakeOf = (mode: string) => path.join(work, 'lakes', `shape${i + 1}-round${round}-${mode}`);
        const measured: FitlakeRun[] = [];
        const cold = await fitlakeRun(bench, landingDir, lakeOf('cold'), false);
        result.cold.push(cold);
        measured.push(cold);
        log(`${shapeLabel(shape)} round ${round}: fitlake cold ${fmt(cold.wallSeconds)} s, peak RSS ${mib(cold.peakRssMiB)} MiB (from ${cold.loadedFrom})`);
        if (duck) {
          const d = await duckdbRun(bench, duck.python, anchor, landingDir);
          result.duckdb.push(d);
          log(`${shapeLabel(shape)} round ${round}: duckdb ${fmt(d.wallSeconds)} s, peak RSS ${mib(d.peakRssMiB)} MiB`);
        }
        if (withWarm) {
          const warm = await fitlakeRun(bench, landingDir, lakeOf('warm'), true);
          result.warm.push(warm);
          measured.push(warm);
          log(`${shapeLabel(shape)} round ${round}: fitlake warm ${fmt(warm.wallSeconds)} s, run peak RSS ${mib(warm.peakRssMiB)} MiB (from ${warm.loadedFrom})`);
        }
        // The check reads each lake back in this process, between the timed runs, then frees its disk.
        for (const run of measured) {
          const started = performance.now();
          try {
            const checked = await landing.verify(openLake({ lake: run.lake }), shape);
            log(`verified ${path.basename(run.lake)}: ${checked} (${fmt((performance.now() - started) / 1000, 1)} s)`);
          } catch (e) {
            failures.push(`${path.basename(run.lake)} (${shapeLabel(shape)}): ${(e as Error).message}`);
            log(`CHECK FAILED for ${run.lake}: ${(e as Error).message}`);
          }
          if (!keep) await rm(run.lake, { recursive: true, force: true });
        }
      }
    }

    console.log(`\nwhole-process figures (${rounds} round(s); ${os.availableParallelism()} cores, load average ${fmt(os.loadavg()[0]!, 1)}; wall = spawn to exit)`);
    for (const r of results) printShape(r, landing, rounds);
    printOrderRatios(results);
    if (bench.worker) {
      const stopped = await stopChild(bench.worker);
      bench.worker = undefined;
      console.log(`fitlake worker (warm runs): peak RSS ${mib(stopped.peakRssMiB)} MiB over the warm-up and every warm run`);
    }
    if (failures.length > 0) {
      console.log(`\nCHECK FAILED (${failures.length}):\n${failures.map((f) => `  ${f}`).join('\n')}`);
      return 1;
    }
    console.log(`\nverified: every lake (${results.reduce((n, r) => n + r.cold.length + r.warm.length, 0)}) holds ${sbit ? "the SBIT README's results" : 'what the generator planned, row for row'}`);
    return 0;
  } finally {
    await teardown();
    if (keep) log(`kept ${work}`);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error('BENCHMARK FAILED:', error);
    process.exitCode = 1;
  },
);
