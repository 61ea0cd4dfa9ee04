/**
 * The Delta table core on Azure Blob Storage (Azurite under `npm test`): the same behaviours as on local
 * disk, through AzureBlobObjectStore, whose If-None-Match: * upload is the commit point here. Each test
 * gets a fresh container (deleted at the end) and keeps its table under a prefix, as the lake does.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test, type TestContext } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { heartRate, kafkaMultiplexBz } from '../../schema/tables.ts';
import { AzureBlobObjectStore } from '../../lakehouse/storage/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { SchemaMismatchError } from '../../lakehouse/table/log/index.ts';
import { uriPathToKey } from '../../lakehouse/table/columns/index.ts';
import {
  APPEND_ROWS_PER_COMMIT,
  assertTwoWriterAppends,
  batch,
  dataFileKeys,
  heartRows,
  logVersions,
  MICROS_PER_SECOND,
  sleep,
  sortRows,
  T0,
  type Row,
} from '../support/delta-helpers.ts';
import { azureConnectionString } from '../support/stack.ts';

const HR_KEY = ['device_id', 'time'];
const hr = (rows: readonly Row[]) => batch(heartRate.columns, rows);
const FAST_RETRY = { maxTries: 4, retryDelayMs: 20, maxRetryDelayMs: 200 };

/**
 * A fresh container (deleted when the test ends) and a factory of independent stores on one table
 * prefix in it; undefined (test skipped) without Azurite.
 */
async function azureTable(t: TestContext): Promise<(() => AzureBlobObjectStore) | undefined> {
  const connectionString = azureConnectionString(t);
  if (!connectionString) return undefined;
  const container = `fitlake-delta-${randomBytes(6).toString('hex')}`;
  const open = () => new AzureBlobObjectStore({ container, prefix: 'lake/silver/table', connectionString, retry: FAST_RETRY });
  assert.equal(await open().ensureContainer(), true);
  t.after(async () => {
    await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container).deleteIfExists();
  });
  return open;
}

describe('Delta tables on Azure Blob Storage', () => {
  test('create, append, merge, time travel and history', async (t) => {
    const open = await azureTable(t);
    if (!open) return;
    const store = open();
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    assert.equal((await DeltaTable.createIfAbsent(open(), heartRate)).snapshot.metadata.id, table.snapshot.metadata.id, 'create is idempotent');
    await assert.rejects(DeltaTable.createIfAbsent(open(), { ...heartRate, partitionBy: ['device_id'] }), SchemaMismatchError);

    const MAX_SAFE = Number.MAX_SAFE_INTEGER;
    const first: Row[] = [...heartRows(1, 3), { device_id: MAX_SAFE, time: T0 + 1, heartrate: 71.25, valid: true }];
    const second = heartRows(2, 3);
    await table.append(hr(first));
    await table.append(hr(second));
    const update = { ...first[1]!, heartrate: 130 };
    const insert = heartRows(1, 1, T0 + 60 * MICROS_PER_SECOND)[0]!;
    const merged = await table.merge(hr([update, insert]), { key: HR_KEY, whenMatched: (_t, s) => s });
    assert.deepEqual([merged.version, merged.metrics.updated, merged.metrics.inserted], [3, 1, 1]);

    const expected: Row[][] = [[], first, [...first, ...second], [first[0]!, update, first[2]!, first[3]!, ...second, insert]];
    const reader = await DeltaTable.open(open());
    assert.equal(reader.version, 3);
    for (let v = 0; v <= 3; v++) {
      const rows = await reader.rows({ snapshot: await reader.snapshotAt(v) });
      assert.deepEqual(sortRows(rows, HR_KEY), sortRows(expected[v]!, HR_KEY), `version ${v}`);
    }
    assert.deepEqual(
      (await reader.history()).map((h) => [h.version, h.operation]),
      [
        [3, 'MERGE'],
        [2, 'WRITE'],
        [1, 'WRITE'],
        [0, 'CREATE TABLE'],
      ],
    );
  });

  test('txn exactly-once: a replayed commit writes nothing; a txn-only append advances the txn', async (t) => {
    const open = await azureTable(t);
    if (!open) return;
    const table = await DeltaTable.createIfAbsent(open(), heartRate);
    const rows = heartRows(5, 4);
    assert.equal((await table.append(hr(rows), { txn: { appId: 'step', version: 1 } })).committed, true);
    const files = await dataFileKeys(open());

    const replay = await DeltaTable.open(open());
    const again = await replay.append(hr(rows), { txn: { appId: 'step', version: 1 } });
    assert.deepEqual([again.committed, again.version], [false, 1]);
    assert.deepEqual(await logVersions(open()), [0, 1]);
    assert.deepEqual(await dataFileKeys(open()), files);

    const txnOnly = await replay.append(hr([]), { txn: { appId: 'step', version: 2 } });
    assert.deepEqual([txnOnly.committed, txnOnly.version], [true, 2]);
    assert.equal((await DeltaTable.open(open())).txnVersion('step'), 2);
    assert.deepEqual(await (await DeltaTable.open(open())).rows(), rows);
  });

  test('partition folders, overwrite of one partition and vacuum', async (t) => {
    const open = await azureTable(t);
    if (!open) return;
    const store = open();
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    const row = (topic: string, week: string, offset: number): Row => ({
      key: null, value: 'v', topic, partition: 0, offset, timestamp: T0 + offset, date: 19_632, week_part: week, load_time: T0, source_file: 'f',
    });
    const bpm = [row('bpm', '2023-10', 1), row('bpm', '2023-11', 2)];
    const userInfo = [row('user info', '2023-10', 3)]; // a space: escaped in the folder name and the add path
    await table.append(batch(kafkaMultiplexBz.columns, [...bpm, ...userInfo]));
    const keys = await dataFileKeys(store);
    assert.ok(keys.some((k) => k.startsWith('topic=bpm/week_part=2023-10/')), keys.join(', '));
    assert.ok(keys.some((k) => k.startsWith('topic=user%20info/week_part=2023-10/')), keys.join(', '));

    const replacement = [row('bpm', '2023-12', 9)];
    await table.overwrite(batch(kafkaMultiplexBz.columns, replacement), { where: [{ column: 'topic', op: '=', value: 'bpm' }] });
    const reader = await DeltaTable.open(open());
    assert.deepEqual(sortRows(await reader.rows(), ['offset']), [...userInfo, ...replacement]);

    await sleep(5);
    const vacuumed = await reader.vacuum({ retentionHours: 0 });
    assert.equal(vacuumed.deleted.length, 2, 'the two replaced bpm files');
    const live = [...reader.snapshot.files.keys()].map(uriPathToKey).sort();
    assert.deepEqual((await dataFileKeys(open())).sort(), live);
    assert.deepEqual(sortRows(await (await DeltaTable.open(open())).rows(), ['offset']), [...userInfo, ...replacement]);
  });

  test('two writers on two store instances append concurrently and lose no commit', { timeout: 300_000 }, async (t) => {
    const open = await azureTable(t);
    if (!open) return;
    await DeltaTable.createIfAbsent(open(), heartRate);
    const commits = 25;
    const tables = await Promise.all([open(), open()].map((s) => DeltaTable.open(s)));
    const attempts = await Promise.all(
      tables.map(async (table, i) => {
        const out: number[] = [];
        for (let c = 0; c < commits; c++) out.push((await table.append(hr(heartRows((i + 1) * 1000 + c, APPEND_ROWS_PER_COMMIT)))).attempts);
        return out;
      }),
    );
    t.diagnostic(`commits retried after a lost race: ${attempts.flat().filter((a) => a > 1).length} of ${2 * commits}`);
    await assertTwoWriterAppends(open(), commits);
  });
});
