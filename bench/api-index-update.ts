/**
 * What a new gold version costs the API: a workout_bpm_summary table of generated rows (default
 * 1,000,000 in files of 50,000, the rows of bench/api.ts), its index loaded once, then a version that
 * appends one small file (default 1,000 rows), indexed twice: from scratch, as the API did before
 * issue 20, and from the served index, as LakeData does now (the rows of the files both versions share are
 * copied, only the new file is read). Prints both times, the bytes each read, and that the two indexes
 * are equal.
 *
 *   npx tsx bench/api-index-update.ts [--rows 1_000_000] [--file-rows 50_000] [--new-rows 1_000]
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workoutBpmSummary } from '../schema/tables.ts';
import { LocalObjectStore } from '../lakehouse/storage/index.ts';
import { DeltaTable } from '../lakehouse/table/index.ts';
import type { ColumnarIndex } from '../api/data/columnar-index.ts';
import { indexSpecOf, loadIndex } from '../api/data/load-index.ts';
import { numberArg } from './args.ts';
import { summaryBatch } from './api.ts';
import { ReadCountingStore } from './read-counting-store.ts';

const rows = numberArg('--rows', 1_000_000);
const fileRows = numberArg('--file-rows', 50_000);
const newRows = numberArg('--new-rows', 1_000);
const spec = indexSpecOf(workoutBpmSummary);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;

async function timed<T>(store: ReadCountingStore, build: () => Promise<T>): Promise<{ value: T; ms: number; bytes: number }> {
  store.bytes.clear();
  const started = performance.now();
  const value = await build();
  return { value, ms: performance.now() - started, bytes: store.total };
}

const dir = await mkdtemp(path.join(tmpdir(), 'fitlake-bench-index-'));
try {
  // Data files only, not the log.
  const store = new ReadCountingStore(new LocalObjectStore(dir), (key) => (key.startsWith('_delta_log/') ? undefined : 'data'));
  const table = await DeltaTable.createIfAbsent(store, workoutBpmSummary);
  for (let first = 0; first < rows; first += fileRows) await table.append(summaryBatch(first, Math.min(fileRows, rows - first)), { targetFileRows: fileRows });
  const served = await timed(store, async () => loadIndex(table, await table.refresh(), spec));
  await table.append(summaryBatch(rows, newRows));
  const snapshot = await table.refresh();
  const full = await timed(store, () => loadIndex(table, snapshot, spec));
  const incremental = await timed(store, () => loadIndex(table, snapshot, spec, served.value));
  const cells = (index: ColumnarIndex<typeof workoutBpmSummary>) => spec.columns.map((c) => (index.isString(c.name) ? index.string(c.name).codes : index.number(c.name)));
  assert.deepEqual(cells(incremental.value), cells(full.value), 'the incremental index equals the full one');
  console.log(`gold workout_bpm_summary: ${rows.toLocaleString('en')} rows in ${snapshot.files.size - 1} files, then one version adding ${newRows.toLocaleString('en')} rows`);
  console.log(`first index:              ${served.ms.toFixed(0)} ms, read ${mib(served.bytes)}`);
  console.log(`next version, full read:  ${full.ms.toFixed(0)} ms, read ${mib(full.bytes)}`);
  console.log(`next version, from index: ${incremental.ms.toFixed(0)} ms, read ${mib(incremental.bytes)} (equal indexes)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
