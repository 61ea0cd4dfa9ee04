/**
 * Long-lived table benchmark: what opening and refreshing a table costs as its log grows. A heart-rate
 * table on local disk gets N one-row append commits; at each N it prints the time to open the latest
 * snapshot (DeltaTable.open, median of several), an idle refresh, a refresh that finds one new commit,
 * an open with 50 JSON commits after the newest checkpoint, and the size of `_delta_log/`; after the
 * largest N, the log once the expired log cleanup ran as a month later (log/log-cleanup.ts).
 *
 *   npx tsx bench/long-run.ts [--commits 1000,10000] [--opens 15] [--refreshes 200] [--txn-commits]
 *
 * Building the log fast: most commits are written straight into `_delta_log/` (a commitInfo and one add,
 * as fitlake's append writes them, each add a hard link to the same one-row data file), so 10,000
 * commits take seconds. Every commit at a multiple of `delta.checkpointInterval` (100) is a real
 * DeltaTable.append instead, so fitlake's own commit code writes the checkpoints, where and as it
 * would. Above 20,000 commits only the last 10 multiples before each measured N are real (encoding a
 * checkpoint of ~100,000 files 1,000 times over would take the run's hour); the state measured is the
 * same.
 *
 * `--txn-commits`: the commits written straight into the log carry a txn (an application's progress, as
 * a step's checkpoint) instead of a file, so the table keeps N / 100 files: what opening costs per
 * commit of log, apart from what it costs per live file.
 *
 * `--compact-every K` gives the log a continuous pipeline's shape: each commit written straight in adds
 * its file with the step's progress as a txn (as a silver step's commit does), and every K commits a
 * compaction (as maintenance runs it) removes the live files and adds one in their place, so the table
 * keeps at most about K files and its log a tombstone for every file it ever had within the retention
 * (a week: at one commit a second, 100,000 commits are 28 hours, so all of them).
 *
 * Target (issue 20): opening at most 50 ms at every N, flat within 20% from 1,000 to 100,000 commits.
 */
import { copyFile, link, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { heartRate } from '../schema/tables.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import { batchFromRows } from '../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../lakehouse/table/index.ts';
import { commitKey, encodeCommit, type Action, type AddAction } from '../lakehouse/table/log/index.ts';
import { numberArg, stringArg } from './args.ts';

const sizes = (stringArg('--commits') ?? '1000,10000')
  .split(',')
  .map((s) => Number(s.replaceAll('_', '')))
  .sort((a, b) => a - b);
if (sizes.some((n) => !Number.isSafeInteger(n) || n < 2)) throw new Error('--commits needs whole numbers of at least 2, separated by commas');
const opens = numberArg('--opens', 15);
const refreshes = numberArg('--refreshes', 200);
const txnCommits = process.argv.includes('--txn-commits');
const compactEvery = numberArg('--compact-every', 0);
/** Commits after the newest checkpoint for the "open + 50" figure. */
const TAIL = 50;
const T0 = Date.UTC(2023, 9, 2) * 1000;

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
const oneRow = (v: number) => batchFromRows(heartRate.columns, [{ device_id: 100_000 + v, time: T0 + v * 1_000_000, heartrate: 60 + (v % 40), valid: true }]);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

async function logStats(dir: string): Promise<{ files: number; bytes: number; checkpoints: number; newestCheckpointBytes: number }> {
  const log = path.join(dir, '_delta_log');
  let files = 0;
  let bytes = 0;
  let checkpoints = 0;
  let newest = '';
  let newestBytes = 0;
  for (const name of await readdir(log)) {
    const size = (await stat(path.join(log, name))).size;
    files++;
    bytes += size;
    if (name.includes('.checkpoint.')) {
      checkpoints++;
      if (name > newest) {
        newest = name;
        newestBytes = size;
      }
    }
  }
  return { files, bytes, checkpoints, newestCheckpointBytes: newestBytes };
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(tmpdir(), 'fitlake-long-run-'));
  const dir = path.join(base, 'heart_rate');
  try {
    const store = new LocalObjectStore(dir);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.append(oneRow(1));
    const template: AddAction = [...table.snapshot.files.values()][0]!;
    const templateFile = path.join(dir, decodeURIComponent(template.path));
    const interval = Number(table.snapshot.metadata.configuration['delta.checkpointInterval'] ?? 100);

    let version = table.version;
    let links = 0;
    let linkSource = templateFile;
    /** The live files, for the compactions of `--compact-every`. */
    let live = [...table.snapshot.files.keys()];
    /** A copy (hard link) of the template's one-row file under a new name. */
    const newFile = async (v: number, tag: string) => {
      const file = `part-00000-long-run-${tag}-${String(v).padStart(8, '0')}.snappy.parquet`;
      // A file system allows some 65,000 links to one file: every 50,000 files a copy starts anew.
      if (links++ % 50_000 === 0) {
        await copyFile(templateFile, path.join(dir, file));
        linkSource = path.join(dir, file);
      } else {
        await link(linkSource, path.join(dir, file));
      }
      return file;
    };
    /** Write commit `v` straight into the log: an append of one file (or only a txn), or a compaction. */
    const direct = async (v: number) => {
      const timestamp = Date.now();
      const commitInfo = { timestamp, operation: 'WRITE', operationParameters: { mode: 'Append' }, readVersion: v - 1, isBlindAppend: true, engineInfo: 'fitlake/0.1.0' };
      let actions: Action[];
      if (txnCommits) {
        actions = [{ commitInfo: { ...commitInfo, operationMetrics: { numFiles: 0, numOutputRows: 0 } } }, { txn: { appId: 'long-run', version: v, lastUpdated: timestamp } }];
      } else if (compactEvery > 0 && v % compactEvery === Math.floor(compactEvery / 2)) {
        const file = await newFile(v, 'compacted');
        actions = [
          { commitInfo: { ...commitInfo, operation: 'OPTIMIZE', operationParameters: {}, isBlindAppend: false, operationMetrics: { numRemovedFiles: live.length, numAddedFiles: 1 } } },
          ...live.map((p): Action => ({ remove: { path: p, deletionTimestamp: timestamp, dataChange: false, extendedFileMetadata: true, partitionValues: {}, size: template.size } })),
          { add: { ...template, path: file, modificationTime: timestamp, dataChange: false } },
        ];
        live = [file];
      } else {
        const file = await newFile(v, 'append');
        live.push(file);
        const txn: Action[] = compactEvery > 0 ? [{ txn: { appId: 'heart_rate<-bronze/kafka_multiplex_bz', version: v, lastUpdated: timestamp } }] : [];
        actions = [{ commitInfo: { ...commitInfo, operationMetrics: { numFiles: 1, numOutputRows: 1 } } }, { add: { ...template, path: file, modificationTime: timestamp } }, ...txn];
      }
      await writeFile(path.join(dir, commitKey(v)), encodeCommit(actions), { flag: 'wx' });
    };
    const buildTo = async (target: number) => {
      const started = performance.now();
      while (version < target) {
        const v = version + 1;
        const real = v % interval === 0 && (target <= 20_000 || v > target - 10 * interval);
        if (real) {
          const result = await table.append(oneRow(v));
          if (result.version !== v) throw new Error(`append committed ${result.version}, expected ${v}`);
          live = [...result.snapshot.files.keys()];
        } else {
          await direct(v);
        }
        version = v;
      }
      return (performance.now() - started) / 1000;
    };

    const shape = txnCommits ? ', txn-only commits between appends' : compactEvery > 0 ? `, a compaction every ${compactEvery} commits` : '';
    console.log(`long-run: ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}, checkpoint interval ${interval}${shape}`);
    console.log('commits  files tombstones | open median (min..max) | open +50 JSON (min..max) | idle refresh | refresh +1 commit | _delta_log files, MiB (checkpoints, newest KiB) | built in');
    for (const size of sizes) {
      const built = await buildTo(size);
      // Untimed opens first: the JIT, the Parquet decoder and the page cache warm up on this log.
      for (let i = 0; i < 10; i++) await DeltaTable.open(store);
      const openTimes: number[] = [];
      let opened: DeltaTable | undefined;
      for (let i = 0; i < opens; i++) openTimes.push(await timed(async () => (opened = await DeltaTable.open(store))));
      if (opened!.version !== size) throw new Error(`opened version ${opened!.version}, expected ${size}`);
      const files = opened!.snapshot.files.size;
      const tombstones = opened!.snapshot.tombstones.size;
      const idle: number[] = [];
      for (let i = 0; i < refreshes; i++) idle.push(await timed(() => opened!.refresh()));
      const oneMore: number[] = [];
      for (let i = 0; i < TAIL; i++) {
        await direct(version + 1);
        version++;
        oneMore.push(await timed(() => opened!.refresh()));
      }
      if (opened!.version !== version) throw new Error(`refreshed to ${opened!.version}, expected ${version}`);
      const tailOpens: number[] = [];
      for (let i = 0; i < opens; i++) tailOpens.push(await timed(() => DeltaTable.open(store)));
      const log = await logStats(dir);
      console.log(
        [
          `${String(size).padStart(7)} ${String(files).padStart(6)} ${String(tombstones).padStart(10)}`,
          `${ms(median(openTimes))} ms (${ms(Math.min(...openTimes))}..${ms(Math.max(...openTimes))})`,
          `${ms(median(tailOpens))} ms (${ms(Math.min(...tailOpens))}..${ms(Math.max(...tailOpens))})`,
          `${ms(median(idle))} ms`,
          `${ms(median(oneMore))} ms`,
          `${log.files}, ${(log.bytes / 2 ** 20).toFixed(1)} (${log.checkpoints}, ${(log.newestCheckpointBytes / 1024).toFixed(0)})`,
          `${built.toFixed(1)} s`,
        ].join(' | '),
      );
    }
    // The log a month later: the expired log cleanup (as maintenance runs it) keeps only the newest
    // checkpoint and the commits after it; opening reads the same.
    const monthLater = () => Date.now() + 31 * 86_400_000;
    const before = await logStats(dir);
    const cleanupMs = await timed(() => table.cleanupLog({ now: monthLater }));
    const after = await logStats(dir);
    const reopenTimes: number[] = [];
    for (let i = 0; i < opens; i++) reopenTimes.push(await timed(() => DeltaTable.open(store)));
    console.log(
      `log cleanup a month later: _delta_log ${before.files} files, ${(before.bytes / 2 ** 20).toFixed(1)} MiB -> ${after.files} files, ${(after.bytes / 2 ** 20).toFixed(1)} MiB ` +
        `(${after.checkpoints} checkpoint) in ${ms(cleanupMs)} ms; open afterwards ${ms(median(reopenTimes))} ms (${ms(Math.min(...reopenTimes))}..${ms(Math.max(...reopenTimes))})`,
    );
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

await main();
