/**
 * Delta log checkpoints on local disk: what a checkpoint holds (a round trip against replaying every JSON
 * commit: files, the version that added each, txns, tombstones, metadata, at every version), how readers
 * find it (`_last_checkpoint`, or a listing when the hint is missing, stale or wrong), when commits write
 * one (`delta.checkpointInterval`, best effort: a failing checkpoint never fails its commit), time travel
 * around checkpoints and without the JSON commits before them, and another engine's checkpoint without
 * fitlake's added-in tag.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { heartRate } from '../../schema/tables.ts';
import type { ObjectInfo, ObjectStore } from '../../lakehouse/storage/index.ts';
import { NotFoundError, StorageError } from '../../lakehouse/errors.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { filesAddedSince } from '../../lakehouse/table/files/index.ts';
import { readParquetFooter } from '../../lakehouse/table/parquet/index.ts';
import {
  ADDED_IN_VERSION_TAG,
  checkpointInterval,
  checkpointKeys,
  checkpointOfKey,
  commit,
  commitKey,
  deletedFileRetentionMs,
  encodeCheckpoint,
  LAST_CHECKPOINT_KEY,
  loadSnapshot,
  readCheckpoint,
  readLastCheckpoint,
  TableFormatError,
  TableNotFoundError,
  TombstoneView,
  type Snapshot,
} from '../../lakehouse/table/log/index.ts';
import { batch, heartRows, scratchStore, sortRows, StoreWrapper, T0, type Row } from '../support/delta-helpers.ts';

const columns = [
  { name: 'id', type: 'long', nullable: false },
  { name: 'grp', type: 'string', nullable: true },
  { name: 'v', type: 'double', nullable: true },
  { name: 'at', type: 'timestamp', nullable: true },
] as const satisfies readonly ColumnDef[];
const spec = { name: 'checkpointed', columns, partitionBy: ['grp'], changeDataFeed: true };
const row = (id: number, grp: string | null, v: number | null = id / 2): Row => ({ id, grp, v, at: T0 + id });

const isCheckpointKey = (key: string) => checkpointOfKey(key) !== undefined || key === LAST_CHECKPOINT_KEY;

/** The store without any checkpoint or _last_checkpoint: readers replay every JSON commit. */
class NoCheckpoints extends StoreWrapper {
  override get(key: string): Promise<Uint8Array> {
    if (isCheckpointKey(key)) return Promise.reject(new NotFoundError(key));
    return this.inner.get(key);
  }
  override head(key: string): Promise<ObjectInfo | undefined> {
    return isCheckpointKey(key) ? Promise.resolve(undefined) : this.inner.head(key);
  }
  override async list(prefix: string): Promise<ObjectInfo[]> {
    return (await this.inner.list(prefix)).filter((i) => !isCheckpointKey(i.key));
  }
}

/** Records the commit versions and the checkpoints read, and whether the log was listed. */
class Recording extends StoreWrapper {
  commits: number[] = [];
  checkpoints: string[] = [];
  lists = 0;
  override get(key: string): Promise<Uint8Array> {
    const m = /_delta_log\/(\d{20})\.json$/.exec(key);
    if (m) this.commits.push(Number(m[1]));
    if (checkpointOfKey(key)) this.checkpoints.push(key);
    return this.inner.get(key);
  }
  override list(prefix: string): Promise<ObjectInfo[]> {
    this.lists++;
    return this.inner.list(prefix);
  }
}

/** A store whose checkpoint writes fail while `failing` is set; counts the attempts. */
class FailingCheckpoints extends StoreWrapper {
  failing = true;
  attempts: string[] = [];
  override put(key: string, data: Uint8Array): Promise<void> {
    if (checkpointOfKey(key)) {
      this.attempts.push(key);
      if (this.failing) return Promise.reject(new StorageError(`refused ${key}`));
    }
    return this.inner.put(key, data);
  }
}

/** Everything a reader can see of a snapshot, in a form deepEqual compares (add.dataChange aside: checkpoints say false). */
function stateOf(s: Snapshot) {
  const sorted = <V>(m: ReadonlyMap<string, V>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    version: s.version,
    protocol: s.protocol,
    metadata: s.metadata,
    columns: s.columns,
    partitionColumns: s.partitionColumns,
    files: sorted(s.files).map(([path, add]) => [path, { ...add, dataChange: undefined }]),
    size: s.files.size,
    fileVersions: sorted(s.fileVersions),
    txns: sorted(s.txns),
    txnUpdated: sorted(s.txnUpdated ?? new Map()),
    tombstones: sorted(s.tombstones),
    timestamp: s.timestamp,
  };
}

async function checkpointVersions(store: ObjectStore): Promise<number[]> {
  return (await store.list('_delta_log/')).flatMap((i) => checkpointOfKey(i.key)?.version ?? []).sort((a, b) => a - b);
}

/**
 * A table with every kind of action by version 12 (interval 4: checkpoints at 4, 8 and 12 by the commits
 * themselves): appends to several partitions (one null) with txns, a merge, a partition overwrite, a
 * delete, a compaction, a txn-only commit.
 */
async function busyTable(t: Parameters<typeof scratchStore>[0]) {
  const { dir, store } = await scratchStore(t);
  const table = await DeltaTable.createIfAbsent(store, spec); // v0
  await table.setProperties({ 'delta.checkpointInterval': '4' }); // v1
  await table.append(batch(columns, [row(1, 'a'), row(2, 'b'), row(3, null)]), { txn: { appId: 'ingest', version: 1 } }); // v2
  await table.append(batch(columns, [row(4, 'a'), row(5, 'c')]), { txn: { appId: 'ingest', version: 2 } }); // v3
  await table.merge(batch(columns, [row(1, 'a', 100), row(6, 'b')]), { key: ['id'], whenMatched: (_t, s) => s }); // v4: checkpoint
  await table.overwrite(batch(columns, [row(7, 'c'), row(8, 'c')]), { where: [{ column: 'grp', op: '=', value: 'c' }] }); // v5
  await table.deleteRows({ where: [], matches: (b, i) => b.columns.get('id')![i] === 2 }); // v6
  await table.append(batch(columns, [row(9, 'a')]), { txn: [{ appId: 'ingest', version: 3 }, { appId: 'other', version: 7 }] }); // v7
  await table.append(batch(columns, [row(10, 'a')])); // v8: checkpoint
  const compacted = await table.compact({ targetFileRows: 100, smallFileRows: 100 }); // v9
  assert.ok(compacted.filesRemoved > 1);
  await table.append(batch(columns, [row(11, 'b')])); // v10
  await table.append(batch(columns, []), { txn: { appId: 'ingest', version: 4 } }); // v11
  await table.append(batch(columns, [row(12, null)])); // v12: checkpoint
  await table.append(batch(columns, [row(13, 'a')])); // v13
  assert.equal(table.version, 13);
  return { dir, store, table };
}

describe('checkpoint contents', () => {
  test('a checkpoint holds what replaying the JSON commits gives, at every version, and readers start from it', async (t) => {
    const { store, table } = await busyTable(t);
    assert.deepEqual(await checkpointVersions(store), [4, 8, 12]);
    const hint = await readLastCheckpoint(store);
    assert.equal(hint?.version, 12);
    const replay = new NoCheckpoints(store);
    for (let v = 0; v <= 13; v++) {
      assert.deepEqual(stateOf(await loadSnapshot(store, v)), stateOf(await loadSnapshot(replay, v)), `version ${v}`);
    }
    const fromCheckpoint = await loadSnapshot(store);
    const fromJson = await loadSnapshot(replay);
    assert.deepEqual(stateOf(fromCheckpoint), stateOf(fromJson));
    assert.equal(fromCheckpoint.checkpointVersion, 12);
    // The compacted file keeps the newest version of the files it holds the rows of (not 9).
    assert.ok([...fromCheckpoint.fileVersions.values()].every((v) => v !== 9));
    // What incremental readers get is the same from any checkpoint of theirs.
    for (let since = -1; since <= 13; since++) {
      const paths = (s: Snapshot) => filesAddedSince(s, since < 0 ? undefined : since).map((a) => a.path).sort();
      assert.deepEqual(paths(fromCheckpoint), paths(fromJson), `files added since ${since}`);
    }
    assert.deepEqual(sortRows(await (await DeltaTable.open(store)).rows(), ['id']), sortRows(await table.rows(), ['id']));

    // The latest snapshot comes from checkpoint 12 and commit 13, with no listing.
    const recording = new Recording(store);
    await loadSnapshot(recording);
    assert.ok(recording.commits.every((v) => v >= 12), `commits read: ${recording.commits.join(', ')}`);
    assert.deepEqual(recording.checkpoints, checkpointKeys(12));
    assert.equal(recording.lists, 0);
  });

  test('the checkpoint file: one row per action, adds tagged with the version that added them, _last_checkpoint counts it', async (t) => {
    const { store, table } = await busyTable(t);
    const hint = (await readLastCheckpoint(store))!;
    const bytes = await store.get(checkpointKeys(12)[0]!);
    const footer = await readParquetFooter(bytes);
    assert.deepEqual(footer.fields.map((f) => f.name), ['protocol', 'metaData', 'txn', 'add', 'remove']);
    const raw = JSON.parse(new TextDecoder().decode(await store.get(LAST_CHECKPOINT_KEY))) as Record<string, number>;
    assert.deepEqual(Object.keys(raw).sort(), ['numOfAddFiles', 'size', 'sizeInBytes', 'version']);
    const at12 = await table.snapshotAt(12);
    assert.equal(raw['version'], 12);
    assert.equal(raw['size'], footer.numRows);
    assert.equal(raw['sizeInBytes'], bytes.length);
    assert.equal(raw['numOfAddFiles'], at12.files.size);
    assert.equal(footer.numRows, 2 + at12.txns.size + at12.files.size + at12.tombstones.size);
    assert.equal(hint.size, footer.numRows);

    const content = await readCheckpoint(store, store.url, 12);
    const adds = [...content.files.values()];
    assert.deepEqual([...content.fileVersions].sort(), [...at12.fileVersions].sort());
    assert.ok(adds.every((add) => add.tags === undefined), 'the tag is taken out of the add actions');
    assert.ok(adds.every((add) => add.dataChange === false));
    assert.deepEqual(content.txns.map((x) => [x.appId, x.version, typeof x.lastUpdated]).sort(), [
      ['ingest', 4, 'number'],
      ['other', 7, 'number'],
    ]);
    assert.ok(content.tombstones.size > 0);
    assert.ok(adds.some((add) => add.partitionValues['grp'] === null), 'a null partition value');
    assert.ok(adds.every((add) => typeof add.stats === 'string' && JSON.parse(add.stats).numRecords > 0));
    // The commits themselves stay as other engines write them: no tag in the JSON.
    const json = new TextDecoder().decode(await store.get(commitKey(13)));
    assert.ok(!json.includes(ADDED_IN_VERSION_TAG));
  });

  test('tombstones past delta.deletedFileRetentionDuration stay out of checkpoints', async (t) => {
    const { store } = await busyTable(t);
    const snapshot = await loadSnapshot(new NoCheckpoints(store));
    assert.ok(snapshot.tombstones.size > 0);
    const times = [...snapshot.tombstones.values()];
    const inAWeek = Math.max(...times) + 7 * 86_400_000 + 1;
    const rows = (now: number, metadata = snapshot.metadata) => encodeCheckpoint({ ...snapshot, metadata }, now).size;
    const base = 2 + snapshot.txns.size + snapshot.files.size;
    assert.equal(rows(Math.max(...times)), base + snapshot.tombstones.size);
    assert.equal(rows(inAWeek), base, 'a week later every tombstone has expired');
    const hourly = { ...snapshot.metadata, configuration: { ...snapshot.metadata.configuration, 'delta.deletedFileRetentionDuration': 'interval 1 hour' } };
    assert.equal(rows(Math.max(...times) + 3_600_001, hourly), base);
    assert.equal(deletedFileRetentionMs(hourly), 3_600_000);
    assert.equal(deletedFileRetentionMs({ ...hourly, configuration: { 'delta.deletedFileRetentionDuration': 'interval 2 days' } }), 2 * 86_400_000);
    assert.equal(deletedFileRetentionMs({ ...hourly, configuration: { 'delta.deletedFileRetentionDuration': 'soon' } }), 7 * 86_400_000);
  });

  test("another engine's checkpoint without the tag: its files count as added at the checkpoint's version", async (t) => {
    const { store } = await busyTable(t);
    const at10 = await loadSnapshot(new NoCheckpoints(store), 10);
    const truth = await loadSnapshot(new NoCheckpoints(store));
    // The checkpoint of version 10 as an engine that knows nothing of fitlake's tag writes it.
    const { bytes } = encodeCheckpoint({ ...at10, fileVersions: new Map() }, at10.timestamp);
    await store.put(checkpointKeys(10)[0]!, bytes);
    await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode(JSON.stringify({ version: 10, size: 1 })));
    for (const v of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) await store.delete(commitKey(v));
    const snapshot = await loadSnapshot(store);
    assert.equal(snapshot.version, 13);
    assert.deepEqual([...snapshot.files.keys()].sort(), [...truth.files.keys()].sort());
    for (const [path, version] of snapshot.fileVersions) {
      // Files of the checkpoint: its version, never earlier than the truth; files of the commits after it: exact.
      assert.equal(version, at10.files.has(path) ? 10 : truth.fileVersions.get(path), path);
      assert.ok(version >= truth.fileVersions.get(path)!);
    }
    // A reader whose checkpoint is older reads those files again; one at 10 or later does not.
    assert.equal(filesAddedSince(snapshot, 9).length, snapshot.files.size);
    assert.deepEqual(filesAddedSince(snapshot, 10).map((a) => a.path).sort(), [...snapshot.files.keys()].filter((p) => !at10.files.has(p)).sort());
  });
});

describe('finding the checkpoint', () => {
  test('without _last_checkpoint, with a stale one, a damaged one, or one naming a missing checkpoint, readers still get the newest state', async (t) => {
    const { store } = await busyTable(t);
    const expected = stateOf(await loadSnapshot(new NoCheckpoints(store)));
    const open = async () => {
      const recording = new Recording(store);
      const snapshot = await loadSnapshot(recording);
      assert.deepEqual(stateOf(snapshot), expected);
      return recording;
    };
    await store.delete(LAST_CHECKPOINT_KEY);
    const listed = await open();
    assert.equal(listed.lists, 1);
    assert.ok(listed.commits.every((v) => v >= 12), 'the listing finds checkpoint 12');

    await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode('{"version":4,"size":9}'));
    const stale = await open();
    assert.deepEqual(stale.checkpoints, checkpointKeys(4));
    assert.equal(stale.lists, 0, 'a stale hint costs commits, not a listing');

    await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode('not json'));
    assert.equal(await readLastCheckpoint(store), undefined);
    assert.equal((await open()).lists, 1);

    await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode('{"version":40,"size":9}'));
    assert.equal((await open()).lists, 1);

    // A damaged checkpoint: the next older one (or version 0) serves.
    await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode('{"version":12,"size":9}'));
    await store.put(checkpointKeys(12)[0]!, new Uint8Array([0x50, 0x41, 0x52, 0x31, 1, 2, 3]));
    const damaged = await open();
    assert.ok(damaged.checkpoints.includes(checkpointKeys(8)[0]!));
  });

  test('time travel: from the newest checkpoint at or before the version, else from version 0', async (t) => {
    const { store } = await busyTable(t);
    const at = async (version: number) => {
      const recording = new Recording(store);
      const snapshot = await loadSnapshot(recording, version);
      assert.equal(snapshot.version, version);
      return recording;
    };
    const seven = await at(7);
    assert.deepEqual(seven.checkpoints, checkpointKeys(4));
    assert.ok(seven.commits.every((v) => v >= 4));
    const two = await at(2);
    assert.deepEqual(two.checkpoints, []);
    assert.deepEqual([...new Set(two.commits)].sort((a, b) => a - b), [0, 1, 2]);
    const thirteen = await at(13);
    assert.deepEqual(thirteen.checkpoints, checkpointKeys(12));
    assert.equal(thirteen.lists, 0);
    await assert.rejects(loadSnapshot(store, 14), TableNotFoundError);
    await assert.rejects(loadSnapshot(store, -1), TableNotFoundError);
  });

  test('with the JSON commits before a checkpoint removed, the table opens and travels back to its checkpoints, no further', async (t) => {
    const { store, table } = await busyTable(t);
    const replay = new NoCheckpoints(store);
    const expected = new Map<number, ReturnType<typeof stateOf>>();
    for (const v of [8, 9, 12, 13]) expected.set(v, stateOf(await loadSnapshot(replay, v)));
    for (let v = 0; v <= 8; v++) await store.delete(commitKey(v));
    const reopened = await DeltaTable.open(store);
    assert.equal(reopened.version, 13);
    assert.deepEqual(stateOf(reopened.snapshot), expected.get(13));
    assert.deepEqual(sortRows(await reopened.rows(), ['id']), sortRows(await table.rows(), ['id']));
    for (const v of [9, 12]) assert.deepEqual(stateOf(await reopened.snapshotAt(v)), expected.get(v), `version ${v}`);
    // Version 8: its commit is gone, its checkpoint is not (the commit time is the checkpoint file's then).
    const { timestamp: _t8, ...rest8 } = stateOf(await reopened.snapshotAt(8));
    const { timestamp: _e8, ...want8 } = expected.get(8)!;
    assert.deepEqual(rest8, want8);
    await assert.rejects(reopened.snapshotAt(7), (e: unknown) => e instanceof TableNotFoundError && /no longer in the log/.test(e.message));
    // Commits go on, and the next checkpoint comes at 16.
    for (let i = 0; i < 3; i++) await reopened.append(batch(columns, [row(100 + i, 'z')]));
    assert.equal(reopened.version, 16);
    assert.deepEqual(await checkpointVersions(store), [4, 8, 12, 16]);
    // Without any checkpoint that covers them, the missing commits are a format error naming the checkpoint.
    for (const v of [4, 8, 12, 16]) await store.delete(checkpointKeys(v)[0]!);
    await assert.rejects(DeltaTable.open(store), (e: unknown) => e instanceof TableFormatError && /checkpoint/.test(e.message));
  });
});

describe('writing checkpoints', () => {
  test('commits write one every delta.checkpointInterval versions (100 unless set), and _last_checkpoint follows', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, spec);
    assert.equal(checkpointInterval(table.snapshot.metadata), 100);
    for (const bad of ['0', '-3', 'ten', '2.5', '']) assert.equal(checkpointInterval({ ...table.snapshot.metadata, configuration: { 'delta.checkpointInterval': bad } }), 100);
    await table.setProperties({ 'delta.checkpointInterval': '3' }); // v1
    for (let i = 0; i < 9; i++) await table.append(batch(columns, [row(i, 'a')])); // v2..v10
    assert.deepEqual(await checkpointVersions(store), [3, 6, 9]);
    assert.equal((await readLastCheckpoint(store))?.version, 9);
    assert.equal(table.snapshot.checkpointVersion, 9);
    // A new interval applies from the commit that sets it: 10 went by without a checkpoint, so that
    // commit writes one, then 15 does. (The table's snapshot missed the checkpoint of 11, set up as it
    // was: 12 finds it in _last_checkpoint.)
    await table.setProperties({ 'delta.checkpointInterval': '5' }); // v11
    for (let i = 0; i < 5; i++) await table.append(batch(columns, [row(20 + i, 'a')])); // v12..v16
    assert.deepEqual(await checkpointVersions(store), [3, 6, 9, 11, 15]);
    // DeltaTable.checkpoint() writes one now.
    const written = await table.checkpoint();
    assert.equal(written.version, 16);
    assert.deepEqual(await checkpointVersions(store), [3, 6, 9, 11, 15, 16]);
    // An older checkpoint written later never moves _last_checkpoint back.
    const { writeCheckpoint } = await import('../../lakehouse/table/log/index.ts');
    await writeCheckpoint(store, await table.snapshotAt(12));
    assert.equal((await readLastCheckpoint(store))?.version, 16);
  });

  test('another writer checkpointed the multiple: the next commit finds it and writes none', async (t) => {
    const { store } = await scratchStore(t);
    const a = await DeltaTable.createIfAbsent(store, spec);
    await a.setProperties({ 'delta.checkpointInterval': '3' }); // v1
    const b = await DeltaTable.open(store);
    await a.append(batch(columns, [row(1, 'a')])); // v2
    await b.append(batch(columns, [row(2, 'a')])); // v3: b checkpoints
    await a.append(batch(columns, [row(3, 'a')])); // v4: a looks for checkpoint 3 and finds it
    assert.deepEqual(await checkpointVersions(store), [3]);
    assert.equal(a.snapshot.checkpointVersion, 3);
    await a.append(batch(columns, [row(4, 'a')])); // v5
    await a.append(batch(columns, [row(5, 'a')])); // v6
    assert.deepEqual(await checkpointVersions(store), [3, 6]);
  });

  test('a checkpoint that cannot be written never fails its commit; a later commit writes it', async (t) => {
    const { store: disk } = await scratchStore(t);
    const store = new FailingCheckpoints(disk);
    const table = await DeltaTable.createIfAbsent(store, spec);
    await table.setProperties({ 'delta.checkpointInterval': '4' }); // v1
    const versions: number[] = [];
    for (let i = 0; i < 7; i++) versions.push((await table.append(batch(columns, [row(i, 'a')]))).version); // v2..v8
    assert.deepEqual(versions, [2, 3, 4, 5, 6, 7, 8], 'every commit succeeded');
    // Attempts at the multiple 4, then 5 and 6 (1 and 2 past it), not 7; then at 8.
    assert.deepEqual(store.attempts.map((k) => checkpointOfKey(k)!.version), [4, 5, 6, 8]);
    assert.deepEqual(await checkpointVersions(disk), []);
    assert.equal(await readLastCheckpoint(disk), undefined);
    store.failing = false;
    await table.append(batch(columns, [row(9, 'a')])); // v9
    assert.deepEqual(await checkpointVersions(disk), [9]);
    assert.equal((await readLastCheckpoint(disk))?.version, 9);
    const reopened = await DeltaTable.open(disk);
    assert.equal(reopened.snapshot.checkpointVersion, 9);
    assert.equal((await reopened.rows()).length, 8);
    assert.deepEqual(stateOf(reopened.snapshot), stateOf(await loadSnapshot(new NoCheckpoints(disk))));
  });
});

describe('tombstones of a checkpoint', () => {
  test('are decoded only when asked for (vacuum, a checkpoint), and then equal those of the log replayed from its start', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.setProperties({ 'delta.checkpointInterval': '1000' }); // checkpoints only when asked
    for (let i = 0; i < 6; i++) await table.append(batch(heartRate.columns, heartRows(i, 3)));
    await table.compact(); // six tombstones
    await table.checkpoint();
    // After the checkpoint: one more compaction (tombstones after it), then a path the checkpoint has
    // as a tombstone added back (as a restore does).
    for (let i = 6; i < 8; i++) await table.append(batch(heartRate.columns, heartRows(i, 3)));
    const readded = [...table.snapshot.tombstones.keys()][0]!;
    await table.compact();
    const live = table.snapshot.files.get([...table.snapshot.files.keys()][0]!)!;
    await commit(store, { readSnapshot: table.snapshot, actions: [{ add: { ...live, path: readded, dataChange: false } }], operation: 'RESTORE', readSet: { readsAdded: false } });

    const opened = await DeltaTable.open(store);
    assert.equal(opened.snapshot.checkpointVersion, 8, 'opened from the checkpoint');
    assert.ok(opened.snapshot.files.has(readded));
    const view = opened.snapshot.tombstones as TombstoneView;
    assert.ok(view instanceof TombstoneView && !view.decoded, 'nothing decoded by opening');
    await opened.refresh();
    assert.ok(!view.decoded, 'nor by refreshing');
    // The same table read with no checkpoint: every commit replayed.
    const replayed = await loadSnapshot(new HidingCheckpoints(store));
    assert.equal(replayed.checkpointVersion, undefined);
    const sorted = (m: ReadonlyMap<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b));
    assert.deepEqual(sorted(opened.snapshot.tombstones), sorted(replayed.tombstones));
    assert.ok(view.decoded, 'decoded once read');
    assert.equal(opened.snapshot.tombstones.size, replayed.tombstones.size);
    assert.ok(!opened.snapshot.tombstones.has(readded), 'a path added back is live, not a tombstone');
    // Six files compacted before the checkpoint, three after (two appends and the first compaction's file), one added back.
    assert.equal(opened.snapshot.tombstones.size, 6 + 3 - 1);
  });
});

/** The store without checkpoint files or _last_checkpoint: a reader replays every JSON commit. */
class HidingCheckpoints extends StoreWrapper {
  override async list(prefix: string) {
    return (await this.inner.list(prefix)).filter((i) => !i.key.includes('.checkpoint.') && !i.key.endsWith('_last_checkpoint'));
  }
  override async get(key: string) {
    if (key.includes('.checkpoint.') || key.endsWith('_last_checkpoint')) throw new NotFoundError(key);
    return this.inner.get(key);
  }
}
