/**
 * The API's index of a new gold version reads only the files that version added (issue 20, item 5): the
 * rows of files it shares with the version served until now are copied from that version's index. The
 * result is the index a full read of the version gives, row for row and code for code, after appends, a
 * merge that rewrites files, a delete and a compaction; LakeData builds on the index it serves (the old
 * code read every file of the table for every new version).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { workoutBpmSummary, type WorkoutBpmSummaryRow } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { LocalObjectStore, prefixedStore, type ObjectStore } from '../../lakehouse/storage/index.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';
import type { ColumnarIndex } from '../../api/data/columnar-index.ts';
import { LakeData } from '../../api/data/lake-data.ts';
import { indexSpecOf, loadIndex } from '../../api/data/load-index.ts';
import { StoreWrapper } from '../support/delta-helpers.ts';

const spec = indexSpecOf(workoutBpmSummary);
const CITIES = ['Oslo', 'Bergen', null, 'Tromsø'];

/** Records the data files (not the log) read through it. */
class DataReadsStore extends StoreWrapper {
  readonly reads = new Set<string>();
  private note(key: string): void {
    if (!key.includes('_delta_log/')) this.reads.add(key);
  }
  override get(key: string): Promise<Uint8Array> {
    this.note(key);
    return this.inner.get(key);
  }
  override getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    this.note(key);
    return this.inner.getRange(key, offset, length);
  }
}

function summaries(first: number, count: number, gender: string | null = 'F'): WorkoutBpmSummaryRow[] {
  return Array.from({ length: count }, (_, i) => {
    const n = first + i;
    return { workout_id: 1 + (n % 3), session_id: n, user_id: 100 + (n % 7), age: `${20 + (n % 4) * 10}-${29 + (n % 4) * 10}`, gender: n % 5 === 0 ? null : gender, city: CITIES[n % CITIES.length]!, state: n % 2 ? 'NO' : null, min_bpm: 60 + (n % 9), avg_bpm: 100 + n / 7, max_bpm: 170 - (n % 11), num_recordings: 10 + n };
  });
}

/** Every cell of every row, and each string column's dictionary: equal for equal indexes. */
function contents(index: ColumnarIndex<typeof workoutBpmSummary>): unknown {
  return {
    version: index.version,
    rows: Array.from({ length: index.numRows }, (_, r) => spec.columns.map((c) => index.value(c.name, r))),
    dictionaries: spec.columns.filter((c) => index.isString(c.name)).map((c) => index.string(c.name).values),
  };
}

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-index-incremental-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const newFiles = (after: Snapshot, before: Snapshot) => [...after.files.keys()].filter((p) => !before.files.has(p)).sort();

describe('an incremental API index', () => {
  it('reads only the files a version added, and equals a full read of it after appends, a merge, a delete and a compaction', async (t) => {
    const store = new DataReadsStore(new LocalObjectStore(await scratch(t)));
    const table = await DeltaTable.createIfAbsent(store, workoutBpmSummary);
    for (let i = 0; i < 5; i++) await table.append(batchFromRows(workoutBpmSummary.columns, summaries(i * 40, 40)));
    let snapshot = await table.refresh();
    let index = await loadIndex(table, snapshot, spec);

    const changes: [string, () => Promise<unknown>][] = [
      ['append', () => table.append(batchFromRows(workoutBpmSummary.columns, summaries(200, 40)))],
      ['merge', () => table.merge(batchFromRows(workoutBpmSummary.columns, [...summaries(30, 20, 'M'), ...summaries(300, 5)]), { key: workoutBpmSummary.primaryKey, whenMatched: (_t, s) => s })],
      ['delete', () => table.deleteRows({ where: [{ column: 'session_id', op: '<', value: 15 }], matches: (b, i) => (b.columns.get('session_id')![i] as number) < 15 })],
      ['compact', () => table.compact({ targetFileRows: 1_000 })],
    ];
    for (const [what, change] of changes) {
      await change();
      const before = snapshot;
      snapshot = await table.refresh();
      store.reads.clear();
      const incremental = await loadIndex(table, snapshot, spec, index);
      assert.deepEqual([...store.reads].sort(), newFiles(snapshot, before), `${what}: read the new files only`);
      assert.deepEqual(contents(incremental), contents(await loadIndex(table, snapshot, spec)), `${what}: the index of a full read`);
      index = incremental;
    }
    assert.ok(index.numRows > 0);
  });

  it('LakeData builds the next version of a gold index from the one it serves', async (t) => {
    const dir = await scratch(t);
    const root = new DataReadsStore(new LocalObjectStore(dir));
    const table = await DeltaTable.createIfAbsent(prefixedStore(new LocalObjectStore(dir), tablePath(workoutBpmSummary)) as ObjectStore, workoutBpmSummary);
    for (let i = 0; i < 6; i++) await table.append(batchFromRows(workoutBpmSummary.columns, summaries(i * 10, 10)));
    let now = 0;
    const data = new LakeData(root, { intervalMs: 1000, now: () => now });
    assert.equal((await data.index(workoutBpmSummary)).numRows, 60);
    assert.equal(root.reads.size, 6);

    const before = await table.refresh();
    await table.append(batchFromRows(workoutBpmSummary.columns, summaries(60, 10)));
    const after = await table.refresh();
    root.reads.clear();
    now += 1000;
    await data.index(workoutBpmSummary);
    // The new version is built in the background while the old one is served.
    let served = await data.index(workoutBpmSummary);
    for (let i = 0; i < 100 && served.version !== after.version; i++) {
      await new Promise((r) => setTimeout(r, 10));
      served = await data.index(workoutBpmSummary);
    }
    assert.equal(served.version, after.version);
    assert.equal(served.numRows, 70);
    assert.deepEqual([...root.reads].map((k) => k.slice(tablePath(workoutBpmSummary).length + 1)).sort(), newFiles(after, before));
  });
});
