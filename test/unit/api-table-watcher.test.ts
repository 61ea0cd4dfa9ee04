import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gymSummary } from '../../schema/tables.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { TableWatcher } from '../../api/data/table-watcher.ts';

const row = (gym: number) => ({ date: 19427, gym, mac_address: 'aa', workout_id: 1, session_id: 1, minutes_in_gym: 60, minutes_exercising: 50 });

describe('TableWatcher', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-watcher-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('sees a table appear and new versions, looking at most once per interval', async () => {
    const store = new LocalObjectStore(path.join(dir, 'a'));
    let now = 0;
    let builds = 0;
    const watcher = new TableWatcher(store, async (_table, snapshot) => (builds++, snapshot.version), { intervalMs: 1000, now: () => now });
    assert.equal(await watcher.get(), undefined);
    const table = await DeltaTable.createIfAbsent(store, gymSummary);
    assert.equal(await watcher.get(), undefined, 'no look before the interval is over');
    now += 1000;
    assert.equal((await watcher.get())?.value, 0);
    await table.append(batchFromRows(gymSummary.columns, [row(1)]));
    now += 999;
    assert.equal((await watcher.get())?.value, 0);
    now += 1;
    const loaded = await watcher.get();
    // The new version is built in the background; the next look returns it.
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await watcher.get())?.value ?? loaded?.value, 1);
    assert.equal(builds, 2);
    now += 5000;
    assert.equal((await watcher.get())?.value, 1);
    assert.equal(builds, 2, 'an unchanged version is not rebuilt');
  });

  it('keeps serving the previous version while the next one is built, and retries a failed build', async () => {
    const store = new LocalObjectStore(path.join(dir, 'b'));
    const table = await DeltaTable.createIfAbsent(store, gymSummary);
    let now = 0;
    let release: () => void = () => {};
    let fail = false;
    const watcher = new TableWatcher(
      store,
      async (_table, snapshot) => {
        if (snapshot.version > 0) await new Promise<void>((r) => (release = r));
        if (fail) throw new Error('disk on fire');
        return snapshot.version;
      },
      { intervalMs: 100, now: () => now },
    );
    assert.equal((await watcher.get())?.value, 0);
    await table.append(batchFromRows(gymSummary.columns, [row(2)]));
    now += 100;
    assert.equal((await watcher.get())?.value, 0, 'served while version 1 builds');
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await watcher.get())?.value, 1);

    fail = true;
    await table.append(batchFromRows(gymSummary.columns, [row(3)]));
    now += 100;
    assert.equal((await watcher.get())?.value, 1);
    release();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await watcher.get())?.value, 1, 'a failed build keeps the previous version');
    fail = false;
    const retry = watcher.get();
    await new Promise((r) => setTimeout(r, 10));
    release();
    await retry;
    await new Promise((r) => setTimeout(r, 10));
    assert.equal((await watcher.get())?.value, 2, 'the failed version is built again on the next look');
  });

  it('fails a first load whose build fails, and succeeds once it works', async () => {
    const store = new LocalObjectStore(path.join(dir, 'c'));
    await DeltaTable.createIfAbsent(store, gymSummary);
    let now = 0;
    let fail = true;
    const watcher = new TableWatcher(store, async () => {
      if (fail) throw new Error('cannot read');
      return 'ok';
    }, { intervalMs: 100, now: () => now });
    await assert.rejects(watcher.get(), /cannot read/);
    fail = false;
    now += 1;
    assert.equal((await watcher.get())?.value, 'ok');
  });
});
