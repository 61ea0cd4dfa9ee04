/**
 * The change data feed on local disk: which commits write cdc files, and what rowsRemovedBetween gives a
 * reader downstream (pre-images of updates, deleted rows; every row of a file removed by a commit without
 * cdc files); the upgrade of a table made without the feed. delta-interop.test.ts checks the same files
 * in delta-rs.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { heartRate } from '../../schema/tables.ts';
import { rowsRemovedBetween } from '../../lakehouse/table/files/index.ts';
import { rowsFromBatch } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { changeDataFeedEnabled } from '../../lakehouse/table/log/index.ts';
import { batch, commitActions, heartRows, scratchStore, sortRows, type Row } from '../support/delta-helpers.ts';

const HR_KEY = ['device_id', 'time'];
const spec = (changeDataFeed: boolean) => ({ name: 'heart_rate', columns: heartRate.columns, changeDataFeed });
const lower = (stored: Row, next: Row) => ((next.heartrate as number) < (stored.heartrate as number) ? next : undefined);

async function removed(table: DeltaTable, from: number | undefined): Promise<Row[]> {
  const out: Row[] = [];
  for await (const b of rowsRemovedBetween(table.store, table.snapshot, from, table.version)) out.push(...rowsFromBatch(b));
  return sortRows(out, HR_KEY);
}

const kinds = async (table: DeltaTable, version: number) => (await commitActions(table.store, version)).map((a) => Object.keys(a)[0]);

describe('change data feed', () => {
  test('an update or delete writes cdc files; inserts alone do not; the reader gets the pre-images and the deleted rows', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, spec(true));
    const first = heartRows(1, 5);
    await table.append(batch(heartRate.columns, first));
    await table.merge(batch(heartRate.columns, heartRows(2, 3)), { key: HR_KEY, whenMatched: lower });
    assert.ok(!(await kinds(table, 2)).includes('cdc'), 'a merge that only inserts has its adds for changes');
    const lowered = { ...first[1]!, heartrate: 1 };
    await table.merge(batch(heartRate.columns, [lowered, { ...first[2]! }]), { key: HR_KEY, whenMatched: lower });
    assert.ok((await kinds(table, 3)).includes('cdc'));
    await table.deleteRows({ where: [], matches: (b, i) => b.columns.get('device_id')![i] === 2 && b.columns.get('time')![i] === heartRows(2, 3)[0]!.time });
    assert.ok((await kinds(table, 4)).includes('cdc'));

    assert.deepEqual(await removed(table, 2), sortRows([first[1]!, heartRows(2, 3)[0]!], HR_KEY), 'the replaced reading (not its unchanged neighbour) and the deleted one');
    assert.deepEqual(await removed(table, 3), [heartRows(2, 3)[0]!], 'only what left after the checkpoint');
    assert.deepEqual(await removed(table, undefined), [], 'a reader that read nothing has nothing to take back');
    assert.equal((await table.compact()).filesRemoved > 0, true);
    assert.deepEqual(await removed(table, 4), [], 'compaction changes no data');
  });

  test('vacuum keeps the change data of commits a reader has still to read, and deletes it once read', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, spec(true));
    const first = heartRows(1, 3);
    await table.append(batch(heartRate.columns, first));
    await table.merge(batch(heartRate.columns, [{ ...first[0]!, heartrate: 1 }]), { key: HR_KEY, whenMatched: lower });
    await table.merge(batch(heartRate.columns, [{ ...first[1]!, heartrate: 1 }]), { key: HR_KEY, whenMatched: lower });
    const changeFiles = async () => (await store.list('_change_data/')).length;
    assert.equal(await changeFiles(), 2);
    await table.vacuum({ retentionHours: 0, keepChangesAfter: 1 });
    assert.equal(await changeFiles(), 2, 'a reader at version 1 still reads both');
    assert.deepEqual(await removed(table, 1), sortRows([first[0]!, first[1]!], HR_KEY));
    await table.vacuum({ retentionHours: 0, keepChangesAfter: 2 });
    assert.equal(await changeFiles(), 1);
    assert.deepEqual(await removed(table, 2), [{ ...first[1]! }]);
    await table.vacuum({ retentionHours: 0, keepChangesAfter: 3 });
    assert.equal(await changeFiles(), 0);
  });

  test('without the feed, a commit that rewrites files counts every row of the removed files as gone (a superset, never less)', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, spec(false));
    const first = heartRows(1, 4);
    await table.append(batch(heartRate.columns, first));
    await table.merge(batch(heartRate.columns, [{ ...first[0]!, heartrate: 1 }]), { key: HR_KEY, whenMatched: lower });
    assert.ok(!(await kinds(table, 2)).includes('cdc'));
    assert.deepEqual(await removed(table, 1), sortRows(first, HR_KEY));
  });

  test('a table made without the feed is upgraded when opened with it, once, by either of two openers racing', async (t) => {
    const { store } = await scratchStore(t);
    const old = await DeltaTable.createIfAbsent(store, spec(false));
    await old.append(batch(heartRate.columns, heartRows(1, 2)));
    assert.equal(old.snapshot.protocol.minWriterVersion, 2);
    const [a, b] = await Promise.all([DeltaTable.createIfAbsent(store, spec(true)), DeltaTable.createIfAbsent(store, spec(true))]);
    for (const opened of [a, b]) assert.ok(changeDataFeedEnabled(opened.snapshot));
    await a.refresh();
    assert.equal(a.version, 2, 'one upgrade commit');
    assert.equal(a.snapshot.protocol.minWriterVersion, 4);
    assert.deepEqual(await a.rows(), heartRows(1, 2));
  });
});
