/**
 * Does a cycle's cost follow its new data or the lake's history? The whole pipeline, in this process, on
 * a lake on local disk, one cycle a simulated day (the demo's shape: `--users` users with a device each,
 * `--wear-hours` of 1 Hz readings a day, workouts, gym visits, profile changes, 1% imperfections), so each
 * cycle brings about the same amount of new data, in time order, while every table gains a commit a cycle.
 * At the cycles named by `--at` it prints, for the cycle with new data and for an idle cycle right after
 * it (nothing new): wall time and the bytes read from the lake's data files (the Delta log not counted),
 * with the tables read most; then the commits and live files of the table with the most, and its log size.
 *
 * Every `--maintain-every` cycles (24 by default, 0: never) each table is maintained as a continuous run
 * maintains it (compaction of what its readers consumed, vacuum, expired log cleanup), so file counts stay
 * what they would be in production.
 *
 * With `--archive`, ingested landing files move to `_ingested/` (`--landing-archive`), so a cycle lists only new files.
 *
 *   npx tsx bench/cycle-growth.ts [--cycles 1000] [--at 10,100,1000] [--users 10] [--wear-hours 2] [--maintain-every 24] [--archive]
 *
 * Issue 20's target: the bytes a cycle of fixed new data reads flat within 20% as history grows tenfold;
 * an idle cycle at most 300 ms at every size (here without Temporal, whose share is constant; see
 * bench:floor).
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allTables } from '../schema/tables.ts';
import { tablePath } from '../schema/types.ts';
import { Lake } from '../lakehouse/steps/lake.ts';
import { maintainTable } from '../lakehouse/steps/maintenance.ts';
import { runPipeline } from '../lakehouse/steps/run-pipeline.ts';
import type { StepContext } from '../lakehouse/steps/step.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import { createWorkerPool } from '../lakehouse/threads/pool.ts';
import { createSimulation, LandingSink, runSimulation } from '../simulator/index.ts';
import { numberArg, stringArg } from './args.ts';
import { ReadCountingStore } from './read-counting-store.ts';

const cycles = numberArg('--cycles', 1000);
const printAt = new Set((stringArg('--at') ?? '10,100,1000').split(',').map(Number));
const users = numberArg('--users', 10);
const wearHours = numberArg('--wear-hours', 2);
/** Maintenance (compaction, vacuum, log cleanup) every this many cycles, as a continuous run does hourly; 0: none. */
const maintainEvery = numberArg('--maintain-every', 24, 0);
/** Move ingested landing files to `_ingested/` (--landing-archive), so cycles list only new files. */
const archive = process.argv.includes('--archive');

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
/** The tables read most, largest first. */
const byTable = (bytes: ReadonlyMap<string, number>) =>
  [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([table, n]) => `${table} ${kib(n)}`)
    .join(', ');
const total = (bytes: ReadonlyMap<string, number>) => [...bytes.values()].reduce((a, b) => a + b, 0);

async function timedCycle(ctx: StepContext, store: ReadCountingStore): Promise<{ ms: number; bytes: Map<string, number> }> {
  store.bytes.clear();
  const started = performance.now();
  await runPipeline(ctx);
  return { ms: performance.now() - started, bytes: new Map(store.bytes) };
}

/** Size of a folder's files, recursively. */
async function folderBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    sum += entry.isDirectory() ? await folderBytes(full) : (await stat(full)).size;
  }
  return sum;
}

const dir = await mkdtemp(path.join(tmpdir(), 'fitlake-bench-cycles-'));
const threads = createWorkerPool();
try {
  const landingDir = path.join(dir, 'landing');
  const lakeDir = path.join(dir, 'lake');
  // Data files by table (`<layer>/<name>`), not the log.
  const store = new ReadCountingStore(new LocalObjectStore(lakeDir), (key) => (key.includes('/_delta_log/') ? undefined : key.split('/').slice(0, 2).join('/')));
  const lake = new Lake(store);
  const ctx: StepContext = { lake, landing: new LocalObjectStore(landingDir), now: Date.now, ...(threads ? { threads } : {}), ...(archive ? { landingArchive: '_ingested' } : {}) };
  console.log(`${cycles} cycles, a simulated day each: ${users} users, ${wearHours} h of readings a day; maintenance every ${maintainEvery || 'no'} cycles${archive ? '; landing files archived' : ''}; printing at cycles ${[...printAt].join(', ')}`);
  for (let day = 0; day < cycles; day++) {
    const simulation = createSimulation({ users, days: cycles, onlyDay: day, start: '2023-03-10', seed: 42, imperfections: 0.01, wearHours });
    await runSimulation(simulation, new LandingSink({ root: landingDir, tag: `day-${String(day).padStart(5, '0')}` }));
    const fresh = await timedCycle(ctx, store);
    if (maintainEvery > 0 && (day + 1) % maintainEvery === 0) {
      for (const def of allTables) await maintainTable(lake, tablePath(def), { retentionHours: 168, now: Date.now });
    }
    if (!printAt.has(day + 1)) continue;
    const idle = await timedCycle(ctx, store);
    let most = { table: '', version: -1, files: 0 };
    for (const def of allTables) {
      const snapshot = (await lake.table(def)).snapshot;
      if (snapshot.version > most.version) most = { table: tablePath(def), version: snapshot.version, files: snapshot.files.size };
    }
    const log = await folderBytes(path.join(lakeDir, ...most.table.split('/'), '_delta_log'));
    console.log(`cycle ${day + 1}: new data ${fresh.ms.toFixed(0)} ms, read ${kib(total(fresh.bytes))} (most: ${byTable(fresh.bytes)}); idle ${idle.ms.toFixed(0)} ms, read ${kib(total(idle.bytes))}; ${most.table}: ${most.version + 1} commits, ${most.files} files, log ${kib(log)}`);
  }
} finally {
  await threads?.close();
  await rm(dir, { recursive: true, force: true });
}
