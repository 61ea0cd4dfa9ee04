/**
 * Delta table benchmark: heart-rate rows (device_id long, time timestamp µs, heartrate double, valid
 * boolean) through the whole table layer on local disk — append (Parquet encoding, statistics, file
 * write, commit), full scan (log replay, file read, decoding) and a filtered scan of one device.
 *
 *   npx tsx bench/table.ts [rows]          (default 1,000,000 rows; the growth run uses 4 × rows)
 *
 * Two runs, each in its own child process so that its peak RSS (process.resourceUsage().maxRSS) is
 * its own: `single` appends all rows in one append, then reads them back (three times, on fresh
 * tables; medians); `growing` appends 4 batches
 * of `rows` to one table, printing RSS after each append and after reading everything back, to show
 * that memory follows the batch and the file size, not the table size. Generating the rows is not
 * timed, and each run first appends and scans 100,000 rows elsewhere to warm the JIT up. Targets: ≥ 1,000,000 rows/s written and ≥ 3,000,000 rows/s read on one core.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { heartRate } from '../schema/tables.ts';
import type { Cell } from '../schema/types.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import type { ColumnBatch } from '../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../lakehouse/table/index.ts';

const DEVICES = 300;
/** 2023-10-02T00:00:00Z in µs. */
const T0 = Date.UTC(2023, 9, 2) * 1000;
const FILTER_DEVICE = 42;

/**
 * Rows `first .. first + count - 1` of one stream: every device reports once a second, so row i is
 * device (i mod DEVICES) at second ⌊i / DEVICES⌋; heart rates wander around a per-device resting rate
 * with one decimal, and about one reading in 500 is a sensor glitch (0 bpm, not valid).
 */
function heartRateBatch(first: number, count: number): ColumnBatch {
  const device = new Array<Cell>(count);
  const time = new Array<Cell>(count);
  const bpm = new Array<Cell>(count);
  const valid = new Array<Cell>(count);
  for (let j = 0; j < count; j++) {
    const i = first + j;
    const d = i % DEVICES;
    const second = Math.floor(i / DEVICES);
    const glitch = (i * 2654435761) % 500 === 0;
    const rate = glitch ? 0 : Math.round((55 + (d % 40) + 25 * Math.sin(second / 600 + d) + ((i * 7919) % 50) / 10) * 10) / 10;
    device[j] = 100_000 + d;
    time[j] = T0 + second * 1_000_000 + ((d * 1_000) % 1_000_000);
    bpm[j] = rate;
    valid[j] = rate > 0 && rate < 300;
  }
  return {
    numRows: count,
    columns: new Map([
      ['device_id', device],
      ['time', time],
      ['heartrate', bpm],
      ['valid', valid],
    ]),
  };
}

const mib = (bytes: number) => Math.round(bytes / 2 ** 20);
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);
/** Current RSS after a full collection (the child runs with --expose-gc), so that samples compare. */
function settledRssMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return mib(process.memoryUsage().rss);
}

/**
 * Wall time, and the CPU time of this process (all its threads) over the same span: on a shared machine
 * the wall figure depends on what else runs, the CPU figure much less.
 */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Read every batch of a scan, keeping none of them; returns the row count. */
async function drain(scan: AsyncGenerator<ColumnBatch>): Promise<number> {
  let rows = 0;
  for await (const batch of scan) rows += batch.numRows;
  return rows;
}

interface SingleResult {
  run: 'single';
  rows: number;
  repetitions: number;
  files: number;
  /** Medians over the repetitions; *PerCpuSec divide by the process's CPU time instead of wall time. */
  writeRowsPerSec: number;
  writeRowsPerCpuSec: number;
  readRowsPerSec: number;
  readRowsPerCpuSec: number;
  filterRowsPerSec: number;
  filterMatched: number;
  rssAfterWriteMiB: number;
  peakRssMiB: number;
}

interface GrowingResult {
  run: 'growing';
  rows: number;
  files: number;
  rssAfterAppendMiB: number[];
  writeRowsPerSec: number[];
  /** RSS after each file of the full scan (samples are outside the timed read). */
  rssDuringReadMiB: number[];
  rssAfterReadMiB: number;
  readRowsPerSec: number;
  peakRssMiB: number;
}

async function withTable<T>(fn: (table: DeltaTable) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'fitlake-bench-table-'));
  try {
    return await fn(await DeltaTable.createIfAbsent(new LocalObjectStore(dir), heartRate));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One small append and scan first, so that the timed runs measure compiled code, not the JIT warming up. */
async function warmUp(): Promise<void> {
  await withTable(async (table) => {
    await table.append(heartRateBatch(0, 100_000));
    await drain((await DeltaTable.open(table.store)).scan());
  });
}

/** One table, one append of `rows`, a full scan and a one-device scan; repeated, medians reported. */
async function single(rows: number, repetitions: number): Promise<SingleResult> {
  await warmUp();
  const runs = [];
  for (let r = 0; r < repetitions; r++) {
    runs.push(
      await withTable(async (table) => {
        let batch: ColumnBatch | undefined = heartRateBatch(0, rows);
        const write = await timed(() => table.append(batch!));
        batch = undefined;
        const rssAfterWriteMiB = settledRssMiB();
        const reader = await DeltaTable.open(table.store);
        const read = await timed(() => drain(reader.scan()));
        if (read.value !== rows) throw new Error(`read ${read.value} rows, wrote ${rows}`);
        const filter = await timed(() => drain(reader.scan({ predicates: [{ column: 'device_id', op: '=', value: 100_000 + FILTER_DEVICE }] })));
        return { write, read, filter, rssAfterWriteMiB, files: reader.snapshot.files.size };
      }),
    );
  }
  return {
    run: 'single',
    rows,
    repetitions,
    files: runs[0]!.files,
    writeRowsPerSec: median(runs.map((r) => rows / r.write.seconds)),
    writeRowsPerCpuSec: median(runs.map((r) => rows / r.write.cpuSeconds)),
    readRowsPerSec: median(runs.map((r) => rows / r.read.seconds)),
    readRowsPerCpuSec: median(runs.map((r) => rows / r.read.cpuSeconds)),
    // Rows examined per second: the filter reads every file that may hold the device.
    filterRowsPerSec: median(runs.map((r) => rows / r.filter.seconds)),
    filterMatched: runs[0]!.filter.value,
    rssAfterWriteMiB: median(runs.map((r) => r.rssAfterWriteMiB)),
    peakRssMiB: peakRssMiB(),
  };
}

async function growing(batches: number, rows: number): Promise<GrowingResult> {
  await warmUp();
  return withTable(async (table) => {
    const rssAfterAppendMiB: number[] = [];
    const writeRowsPerSec: number[] = [];
    for (let b = 0; b < batches; b++) {
      let batch: ColumnBatch | undefined = heartRateBatch(b * rows, rows);
      const write = await timed(() => table.append(batch!));
      batch = undefined;
      writeRowsPerSec.push(rows / write.seconds);
      rssAfterAppendMiB.push(settledRssMiB());
    }
    const reader = await DeltaTable.open(table.store);
    const read = await timed(() => drain(reader.scan()));
    if (read.value !== batches * rows) throw new Error(`read ${read.value} rows, wrote ${batches * rows}`);
    // A second, untimed pass sampling memory after each file: flat if the scan holds one file at a time.
    const rssDuringReadMiB: number[] = [];
    for await (const batch of reader.scan()) {
      if (batch.numRows > 0) rssDuringReadMiB.push(settledRssMiB());
    }
    return {
      rssDuringReadMiB,
      run: 'growing',
      rows: batches * rows,
      files: reader.snapshot.files.size,
      rssAfterAppendMiB,
      writeRowsPerSec,
      rssAfterReadMiB: settledRssMiB(),
      readRowsPerSec: (batches * rows) / read.seconds,
      peakRssMiB: peakRssMiB(),
    };
  });
}

function child(args: string[]): SingleResult | GrowingResult {
  const self = fileURLToPath(import.meta.url);
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--child', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`bench child ${args.join(' ')} failed (status ${run.status})`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as SingleResult | GrowingResult;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const result = argv[1] === 'single' ? await single(Number(argv[2]), 3) : await growing(Number(argv[2]), Number(argv[3]));
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const rows = Number(argv[0] ?? 1_000_000);
  if (!Number.isSafeInteger(rows) || rows < DEVICES) throw new Error(`rows must be an integer ≥ ${DEVICES}`);
  console.log(`heart-rate rows, ${DEVICES} devices at 1 Hz, local disk (${tmpdir()}), snappy`);
  console.log(`node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? '?'}), load average ${loadavg()[0]!.toFixed(2)}`);

  const s = child(['single', String(rows)]) as SingleResult;
  console.log(`\n${fmt(s.rows)} rows in one append → ${s.files} file(s); median of ${s.repetitions} fresh tables`);
  console.log(`  write     ${fmt(s.writeRowsPerSec).padStart(12)} rows/s   ${fmt(s.writeRowsPerCpuSec).padStart(12)} rows/CPU-s   (target ≥ 1,000,000)`);
  console.log(`  full scan ${fmt(s.readRowsPerSec).padStart(12)} rows/s   ${fmt(s.readRowsPerCpuSec).padStart(12)} rows/CPU-s   (target ≥ 3,000,000)`);
  console.log(`  filter    ${fmt(s.filterRowsPerSec).padStart(12)} rows/s examined, device_id = ${100_000 + FILTER_DEVICE}: ${fmt(s.filterMatched)} rows`);
  console.log(`  RSS after write ${s.rssAfterWriteMiB} MiB, peak RSS ${s.peakRssMiB} MiB`);
  console.log(`  (rows/CPU-s: divided by this process's CPU time, all threads; less sensitive to other load)`);

  const g = child(['growing', '4', String(rows)]) as GrowingResult;
  console.log(`\n${fmt(g.rows)} rows as 4 appends of ${fmt(rows)} → ${g.files} file(s)`);
  g.rssAfterAppendMiB.forEach((rss, i) => console.log(`  after append ${i + 1}: RSS ${rss} MiB   (${fmt(g.writeRowsPerSec[i]!)} rows/s)`));
  console.log(`  full scan: ${fmt(g.readRowsPerSec)} rows/s; RSS after each file ${g.rssDuringReadMiB.join(', ')} MiB`);
  console.log(`  after reading all ${fmt(g.rows)}: RSS ${g.rssAfterReadMiB} MiB`);
  console.log(`  peak RSS ${g.peakRssMiB} MiB`);
}

await main();
