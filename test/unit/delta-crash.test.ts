/**
 * A writer killed between writing its data files and committing them (SIGKILL: no cleanup runs) must
 * leave the table exactly as it was: same version, same rows. Its files are orphans on disk, invisible
 * to readers, and vacuum removes them.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heartRate } from '../../schema/tables.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { uriPathToKey } from '../../lakehouse/table/columns/index.ts';
import { batch, CountingStore, dataFileKeys, heartRows, logVersions, scratchStore, sleep, sortRows, spawnWriter, TORN_WRITE } from '../support/delta-helpers.ts';

const HR_KEY = ['device_id', 'time'];

test('a writer killed before its commit leaves the table at its previous version, and only orphans behind', { timeout: 120_000 }, async (t) => {
  const { dir, store } = await scratchStore(t);
  const table = await DeltaTable.createIfAbsent(store, heartRate);
  const before = [...heartRows(1, 5), ...heartRows(2, 5)];
  await table.append(batch(heartRate.columns, before.slice(0, 5)));
  await table.append(batch(heartRate.columns, before.slice(5)));
  const liveBefore = (await dataFileKeys(store)).sort();

  const writer = spawnWriter(t, ['torn', dir]);
  await writer.waitForLine(/^files-written$/);
  writer.child.kill('SIGKILL');
  assert.deepEqual(await writer.exited, { code: null, signal: 'SIGKILL' });

  // The table: as before the crash.
  assert.deepEqual(await logVersions(store), [0, 1, 2]);
  const counting = new CountingStore(store);
  const reopened = await DeltaTable.open(counting);
  assert.equal(reopened.version, 2);
  assert.deepEqual(sortRows(await reopened.rows(), HR_KEY), sortRows(before, HR_KEY));
  assert.equal(await reopened.count(), before.length);

  // The orphans: on disk, never read.
  const live = [...reopened.snapshot.files.keys()].map(uriPathToKey).sort();
  assert.deepEqual(live, liveBefore);
  const orphans = (await dataFileKeys(store)).filter((k) => !live.includes(k));
  assert.equal(orphans.length, Math.ceil(TORN_WRITE.rows / TORN_WRITE.fileRows), `the killed writer's files are on disk: ${orphans.join(', ')}`);
  assert.ok(counting.dataReads.every((k) => live.includes(k)), `only live files were read: ${counting.dataReads.join(', ')}`);
  assert.ok(!(await reopened.rows()).some((r) => r['device_id'] === TORN_WRITE.device));

  // A later writer is not disturbed by them, and vacuum removes exactly them.
  const after = heartRows(3, 2);
  await reopened.append(batch(heartRate.columns, after));
  await sleep(5); // retention 0 means "older than now"
  const result = await reopened.vacuum({ retentionHours: 0 });
  assert.deepEqual(result.deleted.sort(), orphans.sort());
  const remaining = await dataFileKeys(store);
  assert.ok(orphans.every((o) => !remaining.includes(o)));
  assert.equal(remaining.length, live.length + 1);
  assert.deepEqual(sortRows(await (await DeltaTable.open(store)).rows(), HR_KEY), sortRows([...before, ...after], HR_KEY));
});
