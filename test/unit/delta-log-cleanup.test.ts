/**
 * Expired log cleanup on local disk (log/log-cleanup.ts): commits, checkpoints and checksum files older
 * than `delta.logRetentionDuration` go only behind a checkpoint, every version from that checkpoint on
 * reads as before (the latest and time travel), what incremental readers still have to read stays, the
 * table can switch it off, and a cleanup cut off half-way leaves a readable log that the next one
 * finishes.
 */
import assert from 'node:assert/strict';
import { utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { StorageError } from '../../lakehouse/errors.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { rowsRemovedBetween } from '../../lakehouse/table/files/index.ts';
import {
  checkpointOfKey,
  LOG_DIR,
  loadSnapshot,
  logRetentionMs,
  TableNotFoundError,
  versionOfCommitKey,
  type Snapshot,
} from '../../lakehouse/table/log/index.ts';
import type { ObjectInfo, ObjectStore } from '../../lakehouse/storage/index.ts';
import { batch, scratchStore, sortRows, StoreWrapper, type Row } from '../support/delta-helpers.ts';

const columns = [
  { name: 'id', type: 'long', nullable: false },
  { name: 'v', type: 'double', nullable: true },
] as const satisfies readonly ColumnDef[];
const DAY = 86_400_000;

/**
 * A table of versions 0..14 with checkpoints at 4, 8 and 12 (interval 4): appends, a merge that updates
 * rows (change data files) and a delete, so the log holds every kind of commit a reader replays.
 */
async function table14(t: TestContext, properties: Record<string, string> = {}): Promise<{ dir: string; store: ObjectStore; table: DeltaTable }> {
  const { dir, store } = await scratchStore(t);
  const table = await DeltaTable.createIfAbsent(store, { name: 'cleaned', columns, partitionBy: [], changeDataFeed: true }); // v0
  await table.setProperties({ 'delta.checkpointInterval': '4', ...properties }); // v1
  for (let v = 2; v <= 14; v++) {
    if (v === 6) await table.merge(batch(columns, [{ id: 2, v: 20 }]), { key: ['id'], whenMatched: (_t, s) => s });
    else if (v === 10) await table.deleteRows({ where: [], matches: (b, i) => b.columns.get('id')![i] === 3 });
    else await table.append(batch(columns, [{ id: v, v: v / 2 }]));
  }
  assert.equal(table.version, 14);
  return { dir, store, table };
}

/** Log files by kind: commit versions and checkpoint versions. */
async function logFiles(store: ObjectStore): Promise<{ commits: number[]; checkpoints: number[] }> {
  const keys = (await store.list(`${LOG_DIR}/`)).map((i) => i.key);
  const commits = keys.flatMap((k) => versionOfCommitKey(k) ?? []).sort((a, b) => a - b);
  const checkpoints = keys.flatMap((k) => checkpointOfKey(k)?.version ?? []).sort((a, b) => a - b);
  return { commits, checkpoints };
}

/** Set the modification time of the log files of versions up to `maxVersion` to `at`. */
async function age(dir: string, store: ObjectStore, maxVersion: number, at: number): Promise<void> {
  for (const info of await store.list(`${LOG_DIR}/`)) {
    const version = versionOfCommitKey(info.key) ?? checkpointOfKey(info.key)?.version;
    if (version !== undefined && version <= maxVersion) await utimes(path.join(dir, info.key), at / 1000, at / 1000);
  }
}

/** What a reader sees of a version: its rows and the state incremental readers rely on. */
async function seen(store: ObjectStore, version?: number) {
  const snapshot = await loadSnapshot(store, version);
  const table = await DeltaTable.open(store, snapshot.version);
  const rows = sortRows((await table.rows()) as Row[], ['id']);
  return { version: snapshot.version, rows, fileVersions: [...snapshot.fileVersions].sort(), metadata: snapshot.metadata };
}

describe('expired log cleanup', () => {
  test('past the retention, everything behind the newest checkpoint goes; that version and later read as before', async (t) => {
    const { store, table } = await table14(t);
    const before = await Promise.all([12, 13, 14].map((v) => seen(store, v)));
    const result = await table.cleanupLog({ now: () => Date.now() + 31 * DAY });
    assert.equal(result.boundary, 12);
    assert.deepEqual(await logFiles(store), { commits: [12, 13, 14], checkpoints: [12] });
    // Oldest first, so a cut-off cleanup leaves no hole.
    const versions = result.deleted.map((k) => versionOfCommitKey(k) ?? checkpointOfKey(k)!.version);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b));
    assert.deepEqual(await Promise.all([12, 13, 14].map((v) => seen(store, v))), before);
    assert.deepEqual(await seen(store), before[2]);
    await assert.rejects(loadSnapshot(store, 11), TableNotFoundError);
    // The table goes on: commits after the cleanup, and a fresh open, see the same rows.
    await table.append(batch(columns, [{ id: 99, v: 1 }]));
    assert.equal((await DeltaTable.open(store)).version, 15);
  });

  test('within the retention nothing goes; past it only behind a checkpoint that is itself past it', async (t) => {
    const { dir, store, table } = await table14(t);
    assert.deepEqual((await table.cleanupLog()).deleted, []);
    // Versions 0..9 are 40 days old (checkpoints 4 and 8 among them), 10..14 are new.
    const before = await Promise.all([8, 9, 10, 11, 12, 13, 14].map((v) => seen(store, v)));
    await age(dir, store, 9, Date.now() - 40 * DAY);
    const result = await table.cleanupLog();
    assert.equal(result.boundary, 8);
    assert.deepEqual(await logFiles(store), { commits: [8, 9, 10, 11, 12, 13, 14], checkpoints: [8, 12] });
    // Every version younger than the retention (10..14) and the ones the boundary checkpoint holds up still read.
    assert.deepEqual(await Promise.all([8, 9, 10, 11, 12, 13, 14].map((v) => seen(store, v))), before);
    await assert.rejects(loadSnapshot(store, 7), TableNotFoundError);
    // A second cleanup finds nothing more to do.
    assert.deepEqual((await table.cleanupLog()).deleted, []);
  });

  test('commits an incremental reader has still to read stay, whatever their age', async (t) => {
    const { store, table } = await table14(t);
    const removedBefore = await collectRemoved(store, table.snapshot, 5);
    assert.ok(removedBefore.length > 0, 'the merge at v6 and the delete at v10 took rows out');
    const result = await table.cleanupLog({ now: () => Date.now() + 31 * DAY, keepCommitsAfter: 5 });
    // The boundary is never past keepCommitsAfter + 1: the checkpoint at 4.
    assert.equal(result.boundary, 4);
    assert.deepEqual((await logFiles(store)).commits, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
    assert.deepEqual(await collectRemoved(store, await loadSnapshot(store), 5), removedBefore);
  });

  test('a table with delta.enableExpiredLogCleanup = false keeps its log; delta.logRetentionDuration sets the retention', async (t) => {
    const kept = await table14(t, { 'delta.enableExpiredLogCleanup': 'false' });
    assert.deepEqual((await kept.table.cleanupLog({ now: () => Date.now() + 365 * DAY })).deleted, []);
    assert.equal((await logFiles(kept.store)).commits.length, 15);

    const hourly = await table14(t, { 'delta.logRetentionDuration': 'interval 1 hour' });
    assert.equal(logRetentionMs(hourly.table.snapshot.metadata), 3_600_000);
    assert.deepEqual((await hourly.table.cleanupLog({ now: () => Date.now() + 30 * 60_000 })).deleted, []);
    assert.equal((await hourly.table.cleanupLog({ now: () => Date.now() + 2 * 3_600_000 })).boundary, 12);
  });

  test('checksum files go with their commits; files that are not log files stay', async (t) => {
    const { dir, store, table } = await table14(t);
    await writeFile(path.join(dir, LOG_DIR, '00000000000000000003.crc'), '{}');
    await writeFile(path.join(dir, LOG_DIR, '00000000000000000013.crc'), '{}');
    await writeFile(path.join(dir, LOG_DIR, 'notes.txt'), 'kept');
    const result = await table.cleanupLog({ now: () => Date.now() + 31 * DAY });
    assert.ok(result.deleted.includes(`${LOG_DIR}/00000000000000000003.crc`));
    const left = (await store.list(`${LOG_DIR}/`)).map((i) => i.key);
    assert.ok(left.includes(`${LOG_DIR}/00000000000000000013.crc`));
    assert.ok(left.includes(`${LOG_DIR}/notes.txt`));
  });

  test('a cleanup cut off half-way leaves a readable log, and the next one finishes it', async (t) => {
    const { store, table } = await table14(t);
    const latest = await seen(store);
    const failing = new FailingDeletes(store, 4);
    await assert.rejects(DeltaTable.open(failing).then((t2) => t2.cleanupLog({ now: () => Date.now() + 31 * DAY })), StorageError);
    const left = await logFiles(store);
    assert.deepEqual(left.commits, [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14], 'the four oldest went, nothing in between');
    assert.deepEqual(await seen(store), latest);
    assert.equal((await seen(store, 12)).version, 12);
    await table.cleanupLog({ now: () => Date.now() + 31 * DAY });
    assert.deepEqual(await logFiles(store), { commits: [12, 13, 14], checkpoints: [12] });
    assert.deepEqual(await seen(store), latest);
  });
});

/** The ids of the rows that left the table after `from`, as an incremental reader reads them. */
async function collectRemoved(store: ObjectStore, snapshot: Snapshot, from: number): Promise<number[]> {
  const ids: number[] = [];
  for await (const b of rowsRemovedBetween(store, snapshot, from, snapshot.version, ['id'])) ids.push(...(b.columns.get('id') as number[]));
  return ids.sort((a, b) => a - b);
}

/** Deletes fail after the first `allowed`; listings come newest first (no store promises an order). */
class FailingDeletes extends StoreWrapper {
  constructor(
    inner: ObjectStore,
    private allowed: number,
  ) {
    super(inner);
  }
  override async list(prefix: string): Promise<ObjectInfo[]> {
    return (await this.inner.list(prefix)).reverse();
  }
  override delete(key: string): Promise<void> {
    if (this.allowed-- <= 0) return Promise.reject(new StorageError(`refused to delete ${key}`));
    return this.inner.delete(key);
  }
}
