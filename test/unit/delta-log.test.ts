/**
 * The Delta log as fitlake writes and reads it, on local disk: action encoding, the exact field names
 * other engines rely on, create/open, exact round trips, time travel and history, txn exactly-once,
 * file statistics and pruning, Hive-style partition folders, and reading without checkpoints.
 */
import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { heartRate, kafkaMultiplexBz } from '../../schema/tables.ts';
import { decodeCommit, encodeCommit, type Action, SchemaMismatchError, TableFormatError, TableNotFoundError, toSchemaString, commitKey } from '../../lakehouse/table/log/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { pruneFiles } from '../../lakehouse/table/files/index.ts';
import { uriPathToKey } from '../../lakehouse/table/columns/index.ts';
import {
  batch,
  commitActions,
  CountingStore,
  dataFileKeys,
  heartRows,
  isoMicros,
  logVersions,
  MICROS_PER_SECOND,
  nonCommitLogKeys,
  rawCommit,
  scratchStore,
  sortRows,
  T0,
  type Row,
} from '../support/delta-helpers.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const HR_KEY = ['device_id', 'time'];
const keysOf = (o: unknown) => Object.keys(o as object).sort();

/** A small table with nullable columns, so that statistics carry null counts. */
const readings = {
  name: 'readings',
  columns: [
    { name: 'device_id', type: 'long', nullable: false },
    { name: 'time', type: 'timestamp', nullable: false },
    { name: 'heartrate', type: 'double', nullable: true },
    { name: 'note', type: 'string', nullable: true },
  ] as const satisfies readonly ColumnDef[],
};

function kafkaRow(topic: string, week: string, offset: number): Row {
  return {
    key: offset % 2 === 0 ? null : `k${offset}`,
    value: `{"offset":${offset}}`,
    topic,
    partition: offset % 3,
    offset,
    timestamp: T0 + offset * MICROS_PER_SECOND + 7,
    date: 19_632 + (offset % 5),
    week_part: week,
    load_time: T0 + 123_456,
    source_file: `${topic}.json`,
  };
}

describe('commit files', () => {
  test('every action kind round-trips through encodeCommit/decodeCommit; unknown kinds are skipped', () => {
    const actions: Action[] = [
      { commitInfo: { timestamp: 1_700_000_000_000, operation: 'WRITE', operationParameters: { mode: 'Append' }, readVersion: 3, isBlindAppend: true, engineInfo: 'x', operationMetrics: { numFiles: 1 } } },
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: 'b0f6f2a8-0000-4000-8000-000000000000',
          name: 't',
          description: null,
          format: { provider: 'parquet', options: {} },
          schemaString: '{"type":"struct","fields":[]}',
          partitionColumns: ['topic', 'week_part'],
          configuration: { 'delta.appendOnly': 'false' },
          createdTime: 1_700_000_000_000,
        },
      },
      {
        add: {
          path: 'topic%3Dbpm/week_part%3D2023-10/part-00000-x.snappy.parquet',
          partitionValues: { topic: 'bpm', week_part: null },
          size: 1234,
          modificationTime: 1_700_000_000_001,
          dataChange: true,
          stats: JSON.stringify({ numRecords: 2, minValues: { offset: 1 }, maxValues: { offset: 2 }, nullCount: { offset: 0 } }),
        },
      },
      { remove: { path: 'a.parquet', deletionTimestamp: 1_700_000_000_002, dataChange: true, extendedFileMetadata: true, partitionValues: {}, size: 10 } },
      { txn: { appId: 'bronze-ingest', version: 42, lastUpdated: 1_700_000_000_003 } },
      { cdc: { path: '_change_data/cdc-00000-x.snappy.parquet', partitionValues: {}, size: 99, dataChange: false } },
    ];
    const bytes = encodeCommit(actions);
    const text = new TextDecoder().decode(bytes);
    assert.ok(text.endsWith('\n'), 'a commit file ends with a newline');
    assert.equal(text.split('\n').length, actions.length + 1, 'one action per line');
    assert.deepEqual(decodeCommit(bytes), actions);

    const withForeign = new TextEncoder().encode(`${text}{"domainMetadata":{"domain":"d"}}\n\n`);
    assert.deepEqual(decodeCommit(withForeign), actions);
  });

  test('a written commit uses the exact field names of the Delta protocol', async (t) => {
    const { dir, store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    await table.append(batch(kafkaMultiplexBz.columns, [kafkaRow('bpm', '2023-10', 1), kafkaRow('bpm', '2023-10', 2)]), { txn: { appId: 'ingest', version: 7 } });
    await table.overwrite(batch(kafkaMultiplexBz.columns, [kafkaRow('bpm', '2023-10', 3)]));

    const v0 = await rawCommit(store, 0);
    assert.deepEqual(v0.map((a) => Object.keys(a)), [['commitInfo'], ['protocol'], ['metaData']]);
    assert.deepEqual(keysOf(v0[0]!['commitInfo']), ['engineInfo', 'isBlindAppend', 'operation', 'operationParameters', 'timestamp']);
    // Tables of the lake keep a change data feed (writer version 4).
    assert.deepEqual(v0[1]!['protocol'], { minReaderVersion: 1, minWriterVersion: 4 });
    // (and the properties the declaration asks for: bronze_kafka's offsets kept alive.)
    assert.deepEqual(v0[2]!['metaData']!['configuration'], { 'delta.enableChangeDataFeed': 'true', 'fitlake.keepAliveTxnPrefixes': 'bronze_kafka:' });
    const meta = v0[2]!['metaData']!;
    assert.deepEqual(keysOf(meta), ['configuration', 'createdTime', 'description', 'format', 'id', 'name', 'partitionColumns', 'schemaString']);
    assert.deepEqual(meta['format'], { provider: 'parquet', options: {} });
    assert.deepEqual(meta['partitionColumns'], ['topic', 'week_part']);
    const schema = JSON.parse(meta['schemaString'] as string) as { type: string; fields: Record<string, unknown>[] };
    assert.equal(schema.type, 'struct');
    assert.deepEqual(schema.fields[0], { name: 'key', type: 'string', nullable: true, metadata: {} });
    assert.deepEqual(
      schema.fields.map((f) => `${String(f['name'])}:${String(f['type'])}`),
      kafkaMultiplexBz.columns.map((c) => `${c.name}:${c.type}`),
    );

    const v1 = await rawCommit(store, 1);
    assert.deepEqual(v1.map((a) => Object.keys(a)), [['commitInfo'], ['add'], ['txn']]);
    assert.deepEqual(keysOf(v1[0]!['commitInfo']), ['engineInfo', 'isBlindAppend', 'operation', 'operationMetrics', 'operationParameters', 'readVersion', 'timestamp']);
    assert.equal(v1[0]!['commitInfo']!['operation'], 'WRITE');
    assert.equal(v1[0]!['commitInfo']!['isBlindAppend'], true);
    assert.equal(v1[0]!['commitInfo']!['readVersion'], 0);
    const add = v1[1]!['add']!;
    assert.deepEqual(keysOf(add), ['dataChange', 'modificationTime', 'partitionValues', 'path', 'size', 'stats']);
    assert.deepEqual(add['partitionValues'], { topic: 'bpm', week_part: '2023-10' });
    assert.equal(typeof add['stats'], 'string', 'stats is a JSON string, not an object');
    assert.deepEqual(keysOf(JSON.parse(add['stats'] as string)), ['maxValues', 'minValues', 'nullCount', 'numRecords']);
    assert.equal(add['size'], (await stat(path.join(dir, decodeURIComponent(add['path'] as string)))).size);
    assert.deepEqual(keysOf(v1[2]!['txn']), ['appId', 'lastUpdated', 'version']);
    assert.equal(v1[2]!['txn']!['appId'], 'ingest');
    assert.equal(v1[2]!['txn']!['version'], 7);

    const v2 = await rawCommit(store, 2);
    assert.deepEqual(v2.map((a) => Object.keys(a)), [['commitInfo'], ['remove'], ['add']]);
    const remove = v2[1]!['remove']!;
    assert.deepEqual(keysOf(remove), ['dataChange', 'deletionTimestamp', 'extendedFileMetadata', 'partitionValues', 'path', 'size']);
    assert.equal(remove['path'], add['path']);
    assert.equal(remove['size'], add['size']);
    assert.equal(remove['dataChange'], true);
    assert.deepEqual(remove['partitionValues'], add['partitionValues']);
    assert.equal(v2[0]!['commitInfo']!['isBlindAppend'], false);
  });
});

describe('create and open', () => {
  test('createIfAbsent is idempotent; a different declaration on reopen throws SchemaMismatchError', async (t) => {
    const { store } = await scratchStore(t);
    await assert.rejects(DeltaTable.open(store), TableNotFoundError);
    const first = await DeltaTable.createIfAbsent(store, heartRate);
    const second = await DeltaTable.createIfAbsent(store, heartRate);
    assert.equal(first.version, 0);
    assert.equal(second.version, 0);
    assert.equal(second.snapshot.metadata.id, first.snapshot.metadata.id, 'the second call opened the same table');
    assert.deepEqual(await logVersions(store), [0]);
    assert.equal(first.snapshot.metadata.name, 'heart_rate');
    assert.deepEqual(first.snapshot.columns, heartRate.columns);

    const retyped = { ...heartRate, columns: heartRate.columns.map((c) => (c.name === 'heartrate' ? { ...c, type: 'long' as const } : c)) };
    await assert.rejects(DeltaTable.createIfAbsent(store, retyped), (e: unknown) => e instanceof SchemaMismatchError && /heartrate double/.test(e.message));
    const nullable = { ...heartRate, columns: heartRate.columns.map((c) => (c.name === 'valid' ? { ...c, nullable: true } : c)) };
    await assert.rejects(DeltaTable.createIfAbsent(store, nullable), SchemaMismatchError);
    await assert.rejects(DeltaTable.createIfAbsent(store, { ...heartRate, columns: heartRate.columns.slice(0, 3) }), SchemaMismatchError);
    await assert.rejects(DeltaTable.createIfAbsent(store, { ...heartRate, partitionBy: ['device_id'] }), SchemaMismatchError);
    assert.deepEqual(await logVersions(store), [0], 'a refused reopen writes nothing');
  });

  test('a partition column that is not a column is refused before anything is written', async (t) => {
    const { store } = await scratchStore(t);
    await assert.rejects(DeltaTable.createIfAbsent(store, { name: 'x', columns: heartRate.columns, partitionBy: ['nope'] }), SchemaMismatchError);
    assert.deepEqual(await logVersions(store), []);
  });
});

/** Version 0 of a heart-rate table written by "another engine", with the given protocol and configuration. */
async function foreignTable(store: Parameters<typeof DeltaTable.open>[0], minWriterVersion: number, configuration: Record<string, string>): Promise<void> {
  const actions: Action[] = [
    { commitInfo: { timestamp: Date.now(), operation: 'CREATE TABLE' } },
    { protocol: { minReaderVersion: 1, minWriterVersion } },
    {
      metaData: {
        id: 'c0ffee00-0000-4000-8000-000000000000',
        format: { provider: 'parquet', options: {} },
        schemaString: toSchemaString(heartRate.columns),
        partitionColumns: [],
        configuration,
      },
    },
  ];
  assert.equal(await store.putIfAbsent(commitKey(0), encodeCommit(actions)), true);
}

describe('protocol limits of a writer', () => {
  test('a table that needs a newer writer version is read, never written', async (t) => {
    const { store } = await scratchStore(t);
    await foreignTable(store, 5, { 'delta.columnMapping.mode': 'name' });
    const table = await DeltaTable.open(store);
    assert.deepEqual(await table.rows(), []);
    await assert.rejects(table.append(batch(heartRate.columns, heartRows(1, 2))), (e: unknown) => e instanceof TableFormatError && /writer version 5/.test(e.message));
    await assert.rejects(table.append(batch(heartRate.columns, []), { txn: { appId: 'a', version: 1 } }), TableFormatError);
    assert.deepEqual(await logVersions(store), [0]);
  });

  test('a table with CHECK constraints (writer version 3) is read, never written: fitlake does not enforce them', async (t) => {
    const { store } = await scratchStore(t);
    await foreignTable(store, 3, { 'delta.constraints.positive': 'heartrate > 0' });
    const table = await DeltaTable.open(store);
    await assert.rejects(table.append(batch(heartRate.columns, heartRows(1, 2))), (e: unknown) => e instanceof TableFormatError && /CHECK constraints/.test(e.message));
    assert.deepEqual(await logVersions(store), [0]);
  });

  test('an append-only table (delta.appendOnly) takes appends and compaction, refuses to remove data', async (t) => {
    const { store } = await scratchStore(t);
    await foreignTable(store, 2, { 'delta.appendOnly': 'true' });
    const table = await DeltaTable.open(store);
    await table.append(batch(heartRate.columns, heartRows(1, 2)));
    await table.append(batch(heartRate.columns, heartRows(2, 2)));
    await assert.rejects(table.overwrite(batch(heartRate.columns, heartRows(3, 1))), (e: unknown) => e instanceof TableFormatError && /append-only/.test(e.message));
    const update = { ...heartRows(1, 1)[0]!, heartrate: 1 };
    await assert.rejects(table.merge(batch(heartRate.columns, [update]), { key: HR_KEY, whenMatched: (_t, s) => s }), TableFormatError);
    assert.equal((await table.merge(batch(heartRate.columns, heartRows(4, 1)), { key: HR_KEY })).committed, true, 'a merge that only inserts is an append');
    assert.equal((await table.compact()).filesRemoved, 3, 'compaction rearranges rows without changing data');
    assert.deepEqual(sortRows(await table.rows(), HR_KEY), sortRows([...heartRows(1, 2), ...heartRows(2, 2), ...heartRows(4, 1)], HR_KEY));
  });
});

describe('reading back', () => {
  test('appended rows come back exactly: microsecond timestamps, longs near 2^53, doubles, booleans', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const rows: Row[] = [
      { device_id: MAX_SAFE, time: T0 + 1, heartrate: 72.125, valid: true },
      { device_id: MAX_SAFE - 1, time: T0 + 999_999, heartrate: 0, valid: false },
      { device_id: -MAX_SAFE, time: -1, heartrate: -0.5, valid: false },
      { device_id: 2 ** 52 + 1, time: Date.UTC(2199, 11, 31, 23, 59, 59) * 1000 + 999_999, heartrate: 1e-300, valid: true },
      { device_id: 0, time: 0, heartrate: 299.99999999999994, valid: true },
    ];
    const result = await table.append(batch(heartRate.columns, rows));
    assert.equal(result.version, 1);
    assert.equal(result.committed, true);
    assert.deepEqual(await table.rows(), rows, 'one file, rows in written order');
    const reopened = await DeltaTable.open(store);
    assert.deepEqual(await reopened.rows(), rows);
    assert.equal(await reopened.count(), rows.length);
    assert.deepEqual(await reopened.rows({ columns: ['time', 'device_id'] }), rows.map((r) => ({ time: r['time'], device_id: r['device_id'] })));

    // A long past 2^53 would be rounded on the way in: refused, and nothing is committed.
    await assert.rejects(table.append(batch(heartRate.columns, [{ device_id: 2 ** 53, time: 0, heartrate: 1, valid: true }])), SchemaMismatchError);
    await assert.rejects(table.append(batch(heartRate.columns, [{ device_id: 1, time: 0, heartrate: 1, valid: null }])), SchemaMismatchError);
    assert.equal((await DeltaTable.open(store)).version, 1);
  });

  test('a reader needs no checkpoint: fitlake writes none and replays every JSON commit', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const all: Row[] = [];
    for (let i = 0; i < 12; i++) {
      const rows = heartRows(i, 3);
      all.push(...rows);
      await table.append(batch(heartRate.columns, rows));
    }
    assert.deepEqual(await nonCommitLogKeys(store), [], 'no checkpoint and no _last_checkpoint');
    assert.deepEqual(await logVersions(store), Array.from({ length: 13 }, (_, i) => i));
    const fresh = await DeltaTable.open(store);
    assert.equal(fresh.version, 12);
    assert.deepEqual(sortRows(await fresh.rows(), HR_KEY), sortRows(all, HR_KEY));
  });

  test('a checkpoint is ignored while every JSON commit is there; without the early commits the table is refused clearly', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.append(batch(heartRate.columns, heartRows(1, 2)));
    await table.append(batch(heartRate.columns, heartRows(2, 2)));
    // Another engine's checkpoint (stand-in bytes: fitlake never opens it) while every JSON commit is kept: still readable.
    await store.put('_delta_log/00000000000000000001.checkpoint.parquet', new Uint8Array([0x50, 0x41, 0x52, 0x31]));
    await store.put('_delta_log/_last_checkpoint', new TextEncoder().encode('{"version":1,"size":3}'));
    const withCheckpoint = await DeltaTable.open(store);
    assert.equal(withCheckpoint.version, 2);
    assert.equal((await withCheckpoint.rows()).length, 4);
    // Once the commits before the checkpoint are cleaned up, fitlake says why it cannot read the table.
    await store.delete(commitKey(0));
    await store.delete(commitKey(1));
    await assert.rejects(DeltaTable.open(store), (e: unknown) => e instanceof TableFormatError && /checkpoint/.test(e.message));
  });
});

describe('time travel and history', () => {
  test('every version reads as it was, and history names each operation and whether it changed data', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const v1 = heartRows(1, 3);
    const v2 = heartRows(2, 3);
    await table.append(batch(heartRate.columns, v1));
    await table.append(batch(heartRate.columns, v2));
    const updated = { ...v1[0]!, heartrate: 150, valid: true };
    const inserted = heartRows(3, 1)[0]!;
    await table.merge(batch(heartRate.columns, [updated, inserted]), { key: HR_KEY, whenMatched: (_target, source) => source });
    const replacement = heartRows(9, 2);
    await table.overwrite(batch(heartRate.columns, replacement));
    // A single live file: nothing to combine, so compaction must not add a version.
    assert.equal((await table.compact()).commit, undefined);

    const expected: Row[][] = [[], v1, [...v1, ...v2], [updated, ...v1.slice(1), ...v2, inserted], replacement];
    assert.equal(table.version, 4);
    for (let v = 0; v <= 4; v++) {
      const snapshot = await table.snapshotAt(v);
      assert.equal(snapshot.version, v);
      assert.deepEqual(sortRows(await table.rows({ snapshot }), HR_KEY), sortRows(expected[v]!, HR_KEY), `rows at version ${v}`);
      const opened = await DeltaTable.open(store, v);
      assert.equal(opened.version, v);
      assert.deepEqual(sortRows(await opened.rows(), HR_KEY), sortRows(expected[v]!, HR_KEY));
    }
    const t1 = (await table.snapshotAt(1)).timestamp;
    const t4 = (await table.snapshotAt(4)).timestamp;
    assert.ok(t1 > 0 && t4 >= t1, 'each version carries its commit time');
    await assert.rejects(table.snapshotAt(5), TableNotFoundError);
    await assert.rejects(table.snapshotAt(-1), TableNotFoundError);

    const history = await table.history();
    assert.deepEqual(
      history.map((h) => [h.version, h.operation, h.dataChange]),
      [
        [4, 'WRITE', true],
        [3, 'MERGE', true],
        [2, 'WRITE', true],
        [1, 'WRITE', true],
        [0, 'CREATE TABLE', false],
      ],
    );
    assert.equal(history[0]!.operationParameters?.['mode'], 'Overwrite');
    assert.equal(history[2]!.operationParameters?.['mode'], 'Append');
    assert.equal(history[1]!.operationMetrics?.['numTargetRowsUpdated'], 1);
    assert.equal(history[1]!.operationMetrics?.['numTargetRowsInserted'], 1);
    assert.equal(history[1]!.readVersion, 2);
    assert.deepEqual((await table.history(2)).map((h) => h.version), [4, 3]);
  });
});

describe('txn exactly-once', () => {
  test('the same appId and version committed twice writes nothing the second time', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    const rows = heartRows(1, 4);
    const first = await table.append(batch(heartRate.columns, rows), { txn: { appId: 'silver-heart-rate', version: 1 } });
    assert.deepEqual([first.version, first.committed], [1, true]);
    const filesBefore = await dataFileKeys(store);

    // A replayed step (a fresh process: a fresh DeltaTable) must not duplicate its output.
    const replay = await DeltaTable.open(store);
    assert.equal(replay.txnVersion('silver-heart-rate'), 1);
    const again = await replay.append(batch(heartRate.columns, rows), { txn: { appId: 'silver-heart-rate', version: 1 } });
    assert.deepEqual([again.version, again.committed, again.attempts], [1, false, 0]);
    const older = await replay.append(batch(heartRate.columns, rows), { txn: { appId: 'silver-heart-rate', version: 0 } });
    assert.equal(older.committed, false, 'an older txn version is a no-op too');
    const viaMerge = await replay.merge(batch(heartRate.columns, rows), { key: HR_KEY, txn: { appId: 'silver-heart-rate', version: 1 } });
    const viaOverwrite = await replay.overwrite(batch(heartRate.columns, rows), { txn: { appId: 'silver-heart-rate', version: 1 } });
    assert.equal(viaMerge.committed, false);
    assert.equal(viaOverwrite.committed, false);

    assert.deepEqual(await logVersions(store), [0, 1], 'no new version');
    assert.deepEqual(await dataFileKeys(store), filesBefore, 'not even orphan data files');
    assert.deepEqual(await replay.rows(), rows);

    // Another application is independent of this one.
    const other = await replay.append(batch(heartRate.columns, heartRows(2, 1)), { txn: { appId: 'other', version: 1 } });
    assert.deepEqual([other.version, other.committed], [2, true]);
    assert.equal(replay.txnVersion('silver-heart-rate'), 1);
    assert.equal(replay.txnVersion('other'), 1);
  });

  test('an append of an empty batch with a txn commits only the txn and advances it', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, heartRate);
    await table.append(batch(heartRate.columns, heartRows(1, 2)), { txn: { appId: 'step', version: 3 } });
    const empty = batch(heartRate.columns, []);

    assert.equal((await table.append(empty)).committed, false, 'an empty batch without txn commits nothing');
    assert.deepEqual(await logVersions(store), [0, 1]);

    const result = await table.append(empty, { txn: { appId: 'step', version: 4 } });
    assert.deepEqual([result.version, result.committed], [2, true]);
    assert.equal(table.txnVersion('step'), 4);
    assert.equal((await DeltaTable.open(store)).txnVersion('step'), 4);
    const actions = await commitActions(store, 2);
    assert.deepEqual(actions.map((a) => Object.keys(a)[0]), ['commitInfo', 'txn']);
    assert.equal((await table.history(1))[0]!.dataChange, false);
    assert.equal(await table.count(), 2);
  });
});

describe('statistics and pruning', () => {
  test('add actions carry numRecords, min/max (timestamps as ISO text) and null counts', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, readings);
    const rows: Row[] = [
      { device_id: 5, time: T0 + 123_456, heartrate: 80.5, note: null },
      { device_id: 3, time: T0 + 7, heartrate: null, note: 'b' },
      { device_id: 9, time: T0 + 3_600_000_001, heartrate: 61, note: 'a' },
    ];
    await table.append(batch(readings.columns, rows));
    const [add] = [...table.snapshot.files.values()];
    const stats = JSON.parse(add!.stats!) as Record<string, Record<string, unknown> | number>;
    assert.deepEqual(stats, {
      numRecords: 3,
      minValues: { device_id: 3, time: isoMicros(T0 + 7), heartrate: 61, note: 'a' },
      maxValues: { device_id: 9, time: isoMicros(T0 + 3_600_000_001), heartrate: 80.5, note: 'b' },
      nullCount: { device_id: 0, time: 0, heartrate: 1, note: 1 },
    });
    assert.equal((stats['minValues'] as Record<string, unknown>)['time'], '2023-10-02T00:00:00.000007Z');
  });

  test('string statistics and comparisons use code point (UTF-8 byte) order, as other engines do', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, readings);
    // UTF-16 code units would order '😀' (a surrogate pair) before the fullwidth '！' and 'ｚ'.
    const notes = ['😀', '！', 'a', 'ｚ'];
    await table.append(batch(readings.columns, notes.map((note, i) => ({ device_id: i, time: T0, heartrate: 60, note }))));
    const [add] = [...table.snapshot.files.values()];
    const stats = JSON.parse(add!.stats!) as { minValues: Record<string, unknown>; maxValues: Record<string, unknown> };
    assert.deepEqual([stats.minValues['note'], stats.maxValues['note']], ['a', '😀']);
    const notesWhere = async (op: '=' | '<' | '>', value: string) =>
      (await table.rows({ columns: ['note'], predicates: [{ column: 'note', op, value }] })).map((r) => r['note']).sort();
    assert.deepEqual(await notesWhere('=', '😀'), ['😀']);
    assert.deepEqual(await notesWhere('>', '！'), ['ｚ', '😀'].sort());
    assert.deepEqual(await notesWhere('<', '😀'), ['a', '！', 'ｚ'].sort());
    assert.deepEqual(await notesWhere('>', 'ｚ'), ['😀']);
  });

  test('long text keeps only a 32-code-point prefix in the statistics, and pruning still finds every row', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, readings);
    const long = (c: string) => c.repeat(200_000);
    // Three files: two of long notes (one starting with emoji, a surrogate pair per code point), one short.
    await table.append(batch(readings.columns, [{ device_id: 1, time: T0, heartrate: 60, note: long('b') }, { device_id: 2, time: T0, heartrate: 60, note: long('d') + 'e' }]));
    await table.append(batch(readings.columns, [{ device_id: 3, time: T0, heartrate: 60, note: long('😀') }]));
    await table.append(batch(readings.columns, [{ device_id: 4, time: T0, heartrate: 60, note: 'c' }]));
    const [first, emoji] = [...table.snapshot.files.values()];
    assert.ok(first!.stats!.length < 400, `stats of ${first!.stats!.length} characters`);
    const stats = JSON.parse(first!.stats!) as { minValues: Record<string, string>; maxValues: Record<string, string> };
    assert.equal(stats.minValues['note'], 'b'.repeat(32));
    assert.equal(stats.maxValues['note'], 'd'.repeat(32) + '\u{10FFFF}');
    assert.equal(Array.from((JSON.parse(emoji!.stats!) as { minValues: Record<string, string> }).minValues['note']!).length, 32, 'cut between code points');
    const devicesWhere = async (op: '=' | '<' | '>', value: string) =>
      (await table.rows({ columns: ['device_id'], predicates: [{ column: 'note', op, value }] })).map((r) => r['device_id']).sort();
    assert.deepEqual(await devicesWhere('=', long('d') + 'e'), [2]);
    assert.deepEqual(await devicesWhere('=', long('b')), [1]);
    assert.deepEqual(await devicesWhere('>', long('d')), [2, 3]);
    assert.deepEqual(await devicesWhere('<', 'c'), [1]);
  });

  test('a predicate scan reads only the files whose statistics may match', async (t) => {
    const { store } = await scratchStore(t);
    const counting = new CountingStore(store);
    const table = await DeltaTable.createIfAbsent(counting, readings);
    // Three files with disjoint devices and times; only the last has null notes.
    const files: Row[][] = [
      [1, 2, 3].map((d, i) => ({ device_id: d, time: T0 + i, heartrate: 70, note: 'x' })),
      [4, 5, 6].map((d, i) => ({ device_id: d, time: T0 + 1_000_000 + i, heartrate: 80, note: 'y' })),
      [7, 8, 9].map((d, i) => ({ device_id: d, time: T0 + 2_000_000 + i, heartrate: null, note: null })),
    ];
    for (const rows of files) await table.append(batch(readings.columns, rows));
    const snapshot = table.snapshot;
    assert.equal(snapshot.files.size, 3);

    const cases: { predicates: Parameters<typeof pruneFiles>[1]; files: number; rows: number }[] = [
      { predicates: [{ column: 'device_id', op: '=', value: 5 }], files: 1, rows: 1 },
      { predicates: [{ column: 'device_id', op: 'in', values: [2, 8] }], files: 2, rows: 2 },
      { predicates: [{ column: 'device_id', op: '>', value: 6 }], files: 1, rows: 3 },
      { predicates: [{ column: 'time', op: '>=', value: T0 + 1_000_000 }], files: 2, rows: 6 },
      { predicates: [{ column: 'time', op: '<', value: T0 }], files: 0, rows: 0 },
      { predicates: [{ column: 'note', op: 'is null' }], files: 1, rows: 3 },
      { predicates: [{ column: 'heartrate', op: 'is not null' }], files: 2, rows: 6 },
      { predicates: [{ column: 'note', op: '=', value: 'y' }, { column: 'device_id', op: '<=', value: 4 }], files: 1, rows: 1 },
      { predicates: [{ column: 'device_id', op: '=', value: 100 }], files: 0, rows: 0 },
      { predicates: [], files: 3, rows: 9 },
    ];
    for (const c of cases) {
      const label = JSON.stringify(c.predicates);
      assert.equal(pruneFiles(snapshot, c.predicates).length, c.files, `files that may match ${label}`);
      counting.dataReads.length = 0;
      const rows = await table.rows({ predicates: c.predicates });
      assert.equal(counting.dataReads.length, c.files, `files read for ${label}`);
      assert.equal(rows.length, c.rows, `rows of ${label}`);
    }
  });
});

describe('partitioned tables', () => {
  test('rows go to Hive-style folders and partition columns read back from the log', async (t) => {
    const { dir, store } = await scratchStore(t);
    const counting = new CountingStore(store);
    const table = await DeltaTable.createIfAbsent(counting, kafkaMultiplexBz);
    const rows = [kafkaRow('bpm', '2023-10', 1), kafkaRow('bpm', '2023-10', 2), kafkaRow('bpm', '2023-11', 3), kafkaRow('user_info', '2023-10', 4), kafkaRow('workout', '2023-11', 5)];
    await table.append(batch(kafkaMultiplexBz.columns, rows));

    const folders = (await readdir(dir, { recursive: true })).filter((p) => !p.startsWith('_delta_log')).map((p) => p.split(path.sep).join('/'));
    for (const folder of ['topic=bpm/week_part=2023-10', 'topic=bpm/week_part=2023-11', 'topic=user_info/week_part=2023-10', 'topic=workout/week_part=2023-11']) {
      assert.ok(folders.includes(folder), `folder ${folder} exists (have ${folders.join(', ')})`);
    }
    const parquet = folders.filter((p) => p.endsWith('.parquet'));
    assert.equal(parquet.length, 4, 'one file per partition');
    assert.ok(parquet.every((p) => /^topic=[a-z_]+\/week_part=2023-1[01]\/part-\d{5}-[0-9a-f-]{36}\.snappy\.parquet$/.test(p)), parquet.join(', '));
    for (const add of table.snapshot.files.values()) {
      assert.equal(decodeURIComponent(add.path).split('/').slice(0, 2).join('/'), `topic=${add.partitionValues['topic']}/week_part=${add.partitionValues['week_part']}`);
      const stats = JSON.parse(add.stats!) as { minValues: Record<string, unknown> };
      assert.ok(!('topic' in stats.minValues), 'partition columns are not in the data file statistics');
    }

    const fresh = await DeltaTable.open(store);
    assert.deepEqual(sortRows(await fresh.rows(), ['offset']), rows);
    assert.deepEqual(await fresh.rows({ columns: ['week_part', 'offset'], predicates: [{ column: 'topic', op: '=', value: 'bpm' }] }).then((r) => sortRows(r, ['offset'])), [
      { week_part: '2023-10', offset: 1 },
      { week_part: '2023-10', offset: 2 },
      { week_part: '2023-11', offset: 3 },
    ]);
    counting.dataReads.length = 0;
    assert.equal((await table.rows({ predicates: [{ column: 'week_part', op: '=', value: '2023-11' }, { column: 'topic', op: '!=', value: 'bpm' }] })).length, 1);
    assert.equal(counting.dataReads.length, 1, 'pruned by partition values alone');
  });

  test('partition values of any characters get distinct, UTF-8 %-escaped folders; an empty string is stored as null', async (t) => {
    const { store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, kafkaMultiplexBz);
    const topics = ['zürich ✓', "'13", '✓', 'a b/c%d=e:f', '🫀', ''];
    await table.append(batch(kafkaMultiplexBz.columns, topics.map((topic, i) => kafkaRow(topic, '2023-10', i))));

    const folders = new Map<string, string | null>();
    for (const add of table.snapshot.files.values()) {
      const [topicDir] = uriPathToKey(add.path).split('/');
      folders.set(topicDir!, add.partitionValues['topic'] ?? null);
      // A Hive reader decodes the folder name as UTF-8 percent-escapes and must get the logged value.
      const decoded = decodeURIComponent(topicDir!.slice('topic='.length));
      assert.equal(decoded === '__HIVE_DEFAULT_PARTITION__' ? null : decoded, add.partitionValues['topic'] ?? null, topicDir);
    }
    assert.equal(folders.size, topics.length, `one folder per value: ${[...folders.keys()].join(', ')}`);
    assert.equal(folders.get('topic=%E2%9C%93'), '✓');
    assert.equal(folders.get('topic=%2713'), "'13");
    assert.equal(folders.get('topic=z%C3%BCrich%20%E2%9C%93'), 'zürich ✓');
    assert.equal(folders.get('topic=__HIVE_DEFAULT_PARTITION__'), null, 'the protocol reads an empty partition value as null; it is written as null');

    const read = sortRows(await (await DeltaTable.open(store)).rows({ columns: ['offset', 'topic'] }), ['offset']);
    assert.deepEqual(read.map((r) => r['topic']), ['zürich ✓', "'13", '✓', 'a b/c%d=e:f', '🫀', null]);
    assert.equal((await table.rows({ predicates: [{ column: 'topic', op: '=', value: '✓' }] })).length, 1);
  });
});
