/**
 * Refreshing a snapshot without copying it: the maps of a snapshot lineage (log/versioned-map.ts) against
 * plain Maps kept per version, and refreshSnapshot on a real log: an idle refresh is one request and
 * returns the same snapshot, new commits are applied on maps shared with the snapshot refreshed, and
 * every older snapshot keeps reading exactly as it was, across a change of lineage too.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ObjectInfo } from '../../lakehouse/storage/index.ts';
import { heartRate } from '../../schema/tables.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { commitKey, encodeCommit, loadSnapshot, MapLineage, refreshSnapshot, VersionedMap, type Action, type Snapshot } from '../../lakehouse/table/log/index.ts';
import { scratchStore, StoreWrapper } from '../support/delta-helpers.ts';

/** A deterministic pseudo-random sequence (xorshift32). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe('MapLineage and VersionedMap', () => {
  test('every version reads as a plain Map copied at that version would, while later versions are written', () => {
    const next = random(7);
    const base = new Map(Array.from({ length: 50 }, (_, i) => [`k${i}`, i] as [string, number]));
    const lineage = new MapLineage<string, number>(base, 10);
    const expected = new Map<number, Map<string, number>>([[10, new Map(base)]]);
    const reference = new Map(base);
    for (let version = 11; version <= 60; version++) {
      lineage.begin(version);
      for (let op = 0; op < 12; op++) {
        const key = `k${Math.floor(next() * 90)}`;
        if (next() < 0.4) {
          lineage.delete(key);
          reference.delete(key);
        } else {
          const value = Math.floor(next() * 1000);
          lineage.set(key, value);
          reference.set(key, value);
        }
        assert.equal(lineage.get(key), reference.get(key));
      }
      expected.set(version, new Map(reference));
    }
    for (const [version, map] of expected) {
      const view = new VersionedMap(lineage, version);
      assert.equal(view.size, map.size, `size at ${version}`);
      const sorted = (entries: Iterable<[string, number]>) => [...entries].sort(([a], [b]) => (a < b ? -1 : 1));
      assert.deepEqual(sorted(view), sorted(map), `entries at ${version}`);
      assert.deepEqual([...view.keys()].sort(), [...map.keys()].sort());
      assert.deepEqual([...view.values()].sort(), [...map.values()].sort());
      for (let i = 0; i < 90; i++) {
        assert.equal(view.get(`k${i}`), map.get(`k${i}`));
        assert.equal(view.has(`k${i}`), map.has(`k${i}`));
      }
      let visited = 0;
      view.forEach((value, key, self) => {
        assert.equal(map.get(key), value);
        assert.equal(self, view);
        visited++;
      });
      assert.equal(visited, map.size);
    }
    assert.throws(() => lineage.begin(62), RangeError, 'only the next version can be written');
  });

  test('iteration keeps insertion order: the base, then keys added since', () => {
    const lineage = new MapLineage(new Map([['a', 1], ['b', 2], ['c', 3]]), 0);
    lineage.begin(1);
    lineage.set('d', 4);
    lineage.delete('b');
    lineage.set('a', 10);
    lineage.begin(2);
    lineage.set('e', 5);
    assert.deepEqual([...new VersionedMap(lineage, 1)], [['a', 10], ['c', 3], ['d', 4]]);
    assert.deepEqual([...new VersionedMap(lineage, 2)], [['a', 10], ['c', 3], ['d', 4], ['e', 5]]);
    assert.deepEqual([...new VersionedMap(lineage, 0)], [['a', 1], ['b', 2], ['c', 3]]);
  });
});

const adds = (version: number, count: number): Action[] =>
  Array.from({ length: count }, (_, i) => ({ add: { path: `v${version}-${i}.parquet`, partitionValues: {}, size: 10, modificationTime: version, dataChange: true, stats: '{"numRecords":1}' } }));

/** Writes commits straight into the log (files that do not exist: refresh never reads them). */
async function writeCommits(store: { putIfAbsent(key: string, data: Uint8Array): Promise<boolean> }, from: number, to: number, actions: (version: number) => Action[]): Promise<void> {
  for (let v = from; v <= to; v++) assert.ok(await store.putIfAbsent(commitKey(v), encodeCommit([{ commitInfo: { timestamp: 1_700_000_000_000 + v, operation: 'WRITE' } }, ...actions(v)])));
}

class CountingGets extends StoreWrapper {
  gets = 0;
  lists = 0;
  override get(key: string): Promise<Uint8Array> {
    this.gets++;
    return this.inner.get(key);
  }
  override list(prefix: string): Promise<ObjectInfo[]> {
    this.lists++;
    return this.inner.list(prefix);
  }
}

/** What a snapshot reads as, to compare with a fresh load. */
function contents(s: Snapshot) {
  return { version: s.version, files: [...s.files.keys()].sort(), fileVersions: [...s.fileVersions].sort(), txns: [...s.txns].sort(), tombstones: [...s.tombstones].sort(), timestamp: s.timestamp, size: s.files.size };
}

describe('refreshSnapshot', () => {
  test('an idle refresh is one request and the same snapshot; new commits extend the maps without copying them', async (t) => {
    const { store } = await scratchStore(t);
    await DeltaTable.createIfAbsent(store, heartRate);
    await writeCommits(store, 1, 3, (v) => adds(v, 200));
    const counting = new CountingGets(store);
    const snapshot = await loadSnapshot(counting);
    counting.gets = 0;
    counting.lists = 0;
    assert.equal(await refreshSnapshot(counting, snapshot), snapshot);
    assert.equal(counting.gets, 1);
    assert.equal(counting.lists, 0);

    await writeCommits(store, 4, 5, (v) => [...adds(v, 2), { remove: { path: `v${v - 3}-0.parquet`, deletionTimestamp: 1_700_000_000_000 + v, dataChange: true } }, { txn: { appId: 'app', version: v } }]);
    counting.gets = 0;
    const refreshed = await refreshSnapshot(counting, snapshot);
    assert.equal(counting.gets, 2 + 1, 'the two new commits and the probe that finds no third');
    assert.equal(refreshed.version, 5);
    assert.ok(refreshed.files instanceof VersionedMap && snapshot.files instanceof VersionedMap);
    assert.equal((refreshed.files as VersionedMap<string, unknown>).lineage, (snapshot.files as VersionedMap<string, unknown>).lineage, 'the same maps, extended');
    assert.equal(refreshed.columns, snapshot.columns, 'unchanged metadata is not parsed again');
    assert.deepEqual(contents(refreshed), contents(await loadSnapshot(store)));
    assert.deepEqual(contents(snapshot), contents(await loadSnapshot(store, 3)), 'the older snapshot is as it was');
    assert.equal(snapshot.files.size, 600);
    assert.equal(refreshed.files.size, 602);
    assert.equal(refreshed.txns.get('app'), 5);
    assert.equal(snapshot.txns.get('app'), undefined);

    // refreshSnapshot up to a version stops there.
    await writeCommits(store, 6, 8, (v) => adds(v, 1));
    const upTo7 = await refreshSnapshot(store, refreshed, 7);
    assert.equal(upTo7.version, 7);
    assert.deepEqual(contents(upTo7), contents(await loadSnapshot(store, 7)));
  });

  test('old snapshots stay right when refreshed again, concurrently, and across a change of lineage', async (t) => {
    const { store } = await scratchStore(t);
    await DeltaTable.createIfAbsent(store, heartRate);
    await writeCommits(store, 1, 1, (v) => adds(v, 20));
    const start = await loadSnapshot(store);
    // Many small commits: a txn rewritten each time, files added and removed, so the lineage fills up.
    const churn = (v: number): Action[] => [...adds(v, 3), { remove: { path: `v${v - 1}-1.parquet`, deletionTimestamp: 1_700_000_000_000 + v, dataChange: true } }, { txn: { appId: 'step', version: v } }];
    const held: Snapshot[] = [start];
    let current = start;
    for (let chunk = 0; chunk < 8; chunk++) {
      const from = current.version + 1;
      await writeCommits(store, from, from + 49, churn);
      current = await refreshSnapshot(store, current);
      held.push(current);
    }
    assert.equal(current.version, 401);
    const lineageOf = (s: Snapshot) => (s.files as VersionedMap<string, unknown>).lineage;
    assert.notEqual(lineageOf(current), lineageOf(start), 'a new lineage took over');
    for (const snapshot of held) assert.deepEqual(contents(snapshot), contents(await loadSnapshot(store, snapshot.version)), `version ${snapshot.version}`);
    // Refreshing old snapshots again, two at once: they go on over the lineages that exist.
    const [a, b] = await Promise.all([refreshSnapshot(store, start), refreshSnapshot(store, held[3]!)]);
    const latest = contents(await loadSnapshot(store));
    assert.deepEqual(contents(a), latest);
    assert.deepEqual(contents(b), latest);
    await writeCommits(store, 402, 405, churn);
    const [c, d] = await Promise.all([refreshSnapshot(store, current), refreshSnapshot(store, current)]);
    assert.deepEqual(contents(c), contents(d));
    assert.deepEqual(contents(c), contents(await loadSnapshot(store)));
    for (const snapshot of held) assert.deepEqual(contents(snapshot), contents(await loadSnapshot(store, snapshot.version)), `version ${snapshot.version} still`);
  });

  test('a DeltaTable refresh after commits of another writer, and a snapshot spread into a new object, keep working', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await writeCommits(store, 1, 5, (v) => adds(v, 2));
    const refreshed = await table.refresh();
    assert.equal(refreshed.version, 5);
    const copy: Snapshot = { ...refreshed };
    await writeCommits(store, 6, 6, (v) => adds(v, 2));
    assert.deepEqual(contents(await refreshSnapshot(store, copy)), contents(await loadSnapshot(store)));
    // A snapshot made of plain Maps (not one fitlake made) is refreshed from a copy of them.
    const plain: Snapshot = { ...refreshed, files: new Map(refreshed.files), fileVersions: new Map(refreshed.fileVersions), txns: new Map(refreshed.txns), tombstones: new Map(refreshed.tombstones) };
    assert.deepEqual(contents(await refreshSnapshot(store, plain)), contents(await loadSnapshot(store)));
  });
});

describe('tombstones in memory', () => {
  test('expire with delta.deletedFileRetentionDuration by the log clock: a table refreshed for months holds those of the retention only', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.setProperties({ 'delta.deletedFileRetentionDuration': 'interval 100 seconds' });
    const first = table.version + 1;
    // A file added and one removed every commit, one commit a second (the log's clock): 3,000 commits.
    const at = (v: number) => 1_700_000_000_000 + v * 1000;
    const write = async (from: number, to: number) => {
      for (let v = from; v <= to; v++) {
        const actions: Action[] = [{ commitInfo: { timestamp: at(v), operation: 'WRITE' } }, ...adds(v, 1), ...(v > first ? [{ remove: { path: `v${v - 1}-0.parquet`, deletionTimestamp: at(v), dataChange: true } }] : [])];
        assert.ok(await store.putIfAbsent(commitKey(v), encodeCommit(actions)));
      }
    };
    let snapshot = await loadSnapshot(store);
    let most = 0;
    for (let from = first; from < first + 3000; from += 100) {
      await write(from, from + 99);
      snapshot = await refreshSnapshot(store, snapshot);
      most = Math.max(most, snapshot.tombstones.size);
    }
    t.diagnostic(`at most ${most} tombstones held over 3,000 commits`);
    // Without expiry: 2,999. With it: the last 100 s (100 commits) plus those since the last rebase.
    assert.ok(most < 600, `at most ${most} tombstones held`);
    const loaded = await loadSnapshot(store);
    assert.equal(loaded.tombstones.size, 101, 'a load keeps the tombstones of the last 100 s, both ends included');
    assert.ok([...snapshot.tombstones.keys()].filter((k) => !loaded.tombstones.has(k)).every((k) => snapshot.tombstones.get(k)! < at(snapshot.version) - 100_000), 'only expired ones beyond the load');
    assert.deepEqual([...loaded.tombstones.keys()].filter((k) => !snapshot.tombstones.has(k)), [], 'none unexpired lost');
    assert.equal(snapshot.files.size, 1);
  });
});

