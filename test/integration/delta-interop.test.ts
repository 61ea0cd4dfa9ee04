/**
 * Interoperability with delta-rs (the `deltalake` Python package, FITLAKE_PYTHON under `npm test`):
 * a table fitlake wrote — every column type, nulls, partitions, append, merge, partition overwrite — reads
 * the same in delta-rs, at the latest version and by time travel; and a table delta-rs wrote reads the
 * same in fitlake (and takes a fitlake append that delta-rs then reads). Log checkpoints and cleanup both
 * ways: delta-rs reads the checkpoints fitlake writes (latest and older versions, also after fitlake's
 * expired log cleanup took the commits before them), and fitlake reads a table delta-rs checkpointed and
 * cleaned up (create_checkpoint, cleanup_metadata) and goes on committing (and checkpointing) to it.
 *
 * Values cross the process boundary as JSON in fitlake's in-memory form: timestamps as integer
 * microseconds since the epoch (converted in Python with exact integer arithmetic), dates as day numbers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { rowsRemovedBetween } from '../../lakehouse/table/files/index.ts';
import { rowsFromBatch } from '../../lakehouse/table/columns/index.ts';
import { checkpointKeys, checkpointOfKey, commit, commitKey, LAST_CHECKPOINT_KEY, readLastCheckpoint, TableFormatError } from '../../lakehouse/table/log/index.ts';
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { kafkaMultiplexBz } from '../../schema/tables.ts';
import { bronzeKafkaFiles } from '../../lakehouse/steps/bronze/kafka-files.ts';
import { rangeTuning } from '../../lakehouse/steps/bronze/landing-files.ts';
import { batch, nonCommitLogKeys, scratchStore, sortRows, T0, type Row } from '../support/delta-helpers.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { deltaPython } from '../support/stack.ts';

/** Python side: `read <path> [version...]` prints the table as JSON; `write <path>` writes table (b). */
const PYTHON = String.raw`
import datetime as dt, json, os, sys, time
import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
DAY0 = dt.date(1970, 1, 1)

def cell(v):
    # datetime is a subclass of date: test it first. Naive timestamps would be a type error on our side.
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise SystemExit('naive (timezone-less) timestamp: ' + repr(v))
        return (v - EPOCH) // dt.timedelta(microseconds=1)
    if isinstance(v, dt.date):
        return (v - DAY0).days
    return v

def snapshot(path, version=None):
    t = DeltaTable(path) if version is None else DeltaTable(path, version=version)
    data = t.to_pyarrow_table()
    return {
        'version': t.version(),
        'schema': [{'name': f['name'], 'type': f['type'], 'nullable': f['nullable']} for f in json.loads(t.schema().to_json())['fields']],
        'partitionColumns': t.metadata().partition_columns,
        'arrowTypes': {f.name: str(f.type) for f in data.schema},
        'rows': [{k: cell(v) for k, v in row.items()} for row in data.to_pylist()],
    }

mode, path = sys.argv[1], sys.argv[2]
if mode == 'read':
    out = {'latest': snapshot(path), 'versions': {v: snapshot(path, int(v)) for v in sys.argv[3:]}}
    print(json.dumps(out))
elif mode == 'write':
    schema = pa.schema([
        ('id', pa.int64()),
        ('grp', pa.string()),
        ('ts', pa.timestamp('us', tz='UTC')),
        ('day', pa.date32()),
        ('note', pa.string()),
        ('score', pa.float64()),
        ('ok', pa.bool_()),
    ])
    def at(*a):
        return dt.datetime(*a, tzinfo=dt.timezone.utc)
    first = pa.table({
        'id': [1, 2, 3, 9007199254740991],
        'grp': ['a', 'b', 'a', 'c'],
        'ts': [at(2023, 10, 2, 8, 15, 0, 123456), at(2023, 10, 2, 8, 15, 1), at(1969, 12, 31, 23, 59, 59, 999999), at(2023, 10, 2, 8, 15, 0, 123999)],
        'day': [dt.date(2023, 10, 2), dt.date(2024, 2, 29), dt.date(1969, 12, 31), dt.date(2023, 10, 2)],
        'note': ['！ fullwidth', None, '😀 héllo ✓', None],
        'score': [1.5, None, -2.25, 1e300],
        'ok': [True, False, None, True],
    }, schema=schema)
    second = pa.table({
        'id': [4, 5],
        'grp': ['b', 'd'],
        'ts': [at(2023, 10, 3, 0, 0, 0, 1), None],
        'day': [dt.date(2023, 10, 3), None],
        'note': [None, 'second'],
        'score': [0.1, 3.0],
        'ok': [False, True],
    }, schema=schema)
    write_deltalake(path, first, partition_by=['grp'], mode='append')
    write_deltalake(path, second, partition_by=['grp'], mode='append')
elif mode == 'filter':
    # delta-rs prunes files by their statistics before reading: wrong statistics lose rows here.
    t = DeltaTable(path)
    print(json.dumps(sorted(r['id'] for r in t.to_pyarrow_table(filters=[(sys.argv[3], '=', sys.argv[4])]).to_pylist())))
elif mode == 'cdf':
    # The change data feed from a version on, as delta-rs reads it.
    data = pa.table(DeltaTable(path).load_cdf(starting_version=int(sys.argv[3])))
    rows = [{k: cell(v) for k, v in row.items() if k != '_commit_timestamp'} for row in data.to_pylist()]
    print(json.dumps(sorted(rows, key=lambda r: (r['_commit_version'], r['_change_type'], json.dumps(r, sort_keys=True)))))
elif mode == 'write-checkpointed':
    # A table delta-rs checkpoints itself (every 2 commits here, and once more on request) and cleans up
    # (a log retention of 0 s: everything behind the newest checkpoint goes), with a txn, a null
    # partition value and a removed file among its actions.
    schema = pa.schema([('id', pa.int64()), ('grp', pa.string()), ('v', pa.float64())])
    write_deltalake(path, pa.table({'id': [1, 2, 3], 'grp': ['a', 'b', None], 'v': [0.5, 1.5, None]}, schema=schema), partition_by=['grp'], configuration={'delta.checkpointInterval': '2', 'delta.logRetentionDuration': 'interval 0 seconds'})
    write_deltalake(path, pa.table({'id': [4], 'grp': ['a'], 'v': [4.0]}, schema=schema), partition_by=['grp'], mode='append', commit_properties=CommitProperties(app_transactions=[Transaction('rs-app', 7)]))
    write_deltalake(path, pa.table({'id': [5], 'grp': ['b'], 'v': [5.0]}, schema=schema), partition_by=['grp'], mode='overwrite', predicate="grp = 'b'")
    DeltaTable(path).create_checkpoint()
    time.sleep(0.05)
    DeltaTable(path).cleanup_metadata()
elif mode == 'txn':
    # The txn version delta-rs reads for an application (from a checkpoint when the log has one).
    print(json.dumps(DeltaTable(path).transaction_version(sys.argv[3])))
elif mode == 'write-config':
    # A table with one table property set, e.g. one that raises the writer protocol.
    write_deltalake(path, pa.table({'id': pa.array([1, 2], pa.int64())}), configuration={sys.argv[3]: sys.argv[4]})

# delta-rs' native threads can abort the interpreter's teardown ("terminate called without an active
# exception", delta-io/delta-rs#2184) after all work is done: flush and leave without the teardown.
sys.stdout.flush()
os._exit(0)
`;

function python(exe: string, args: readonly string[]): string {
  const run = spawnSync(exe, ['-c', PYTHON, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `python ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

interface PySnapshot {
  version: number;
  schema: { name: string; type: string; nullable: boolean }[];
  partitionColumns: string[];
  arrowTypes: Record<string, string>;
  rows: Row[];
}

function readWithPython(exe: string, dir: string, versions: readonly number[] = []): { latest: PySnapshot; versions: Record<string, PySnapshot> } {
  return JSON.parse(python(exe, ['read', dir, ...versions.map(String)])) as { latest: PySnapshot; versions: Record<string, PySnapshot> };
}

/** The pyarrow type delta-rs must give each Delta type; strings may come as any of Arrow's string layouts. */
const ARROW_TYPE: Record<ColumnDef['type'], RegExp> = {
  string: /^(string|large_string|string_view)$/,
  long: /^int64$/,
  integer: /^int32$/,
  double: /^double$/,
  boolean: /^bool$/,
  timestamp: /^timestamp\[us, tz=UTC\]$/,
  date: /^date32\[day\]$/,
};

const everyType = {
  name: 'interop_every_type',
  columns: [
    { name: 'id', type: 'long', nullable: false },
    { name: 'region', type: 'string', nullable: true },
    { name: 'day', type: 'date', nullable: false },
    { name: 'name', type: 'string', nullable: true },
    { name: 'big', type: 'long', nullable: true },
    { name: 'small', type: 'integer', nullable: true },
    { name: 'score', type: 'double', nullable: true },
    { name: 'flag', type: 'boolean', nullable: true },
    { name: 'at', type: 'timestamp', nullable: true },
    { name: 'born', type: 'date', nullable: true },
    { name: 'seen', type: 'timestamp', nullable: false },
  ] as const satisfies readonly ColumnDef[],
  partitionBy: ['region', 'day'],
};

function everyTypeRow(id: number, region: string | null, day: number, overrides: Row = {}): Row {
  return {
    id,
    region,
    day,
    name: id % 3 === 0 ? null : id % 2 === 0 ? `！name ${id}` : `😀 name ${id} ✓`,
    big: id % 4 === 0 ? null : Number.MAX_SAFE_INTEGER - id,
    small: id % 5 === 0 ? null : -2_147_483_648 + id,
    score: id % 2 === 0 ? null : id * 1.25 + 1e-9,
    flag: id % 3 === 1 ? null : id % 2 === 0,
    at: id % 4 === 1 ? null : T0 + id * 1_000_001,
    born: id % 5 === 2 ? null : -25_000 + id * 365,
    seen: T0 - id * 86_400_000_000 + 999_999,
    ...overrides,
  };
}

describe('interop with delta-rs', () => {
  test('a table fitlake wrote reads the same in delta-rs, at the latest version and by time travel', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir, store } = await scratchStore(t);
    const table = await DeltaTable.createIfAbsent(store, everyType);
    const d1 = 19_632; // 2023-10-02
    const d2 = 19_633;
    // v1: several partitions, a null partition value among them.
    await table.append(batch(everyType.columns, [everyTypeRow(1, 'eu', d1), everyTypeRow(2, 'eu', d1), everyTypeRow(3, 'us', d1), everyTypeRow(4, 'us', d2), everyTypeRow(5, null, d2)]));
    // v2: another append (names with astral and fullwidth characters in one file: statistics order matters).
    // An empty string partition value is null to every Delta reader; non-ASCII values need UTF-8 escaping.
    await table.append(batch(everyType.columns, [everyTypeRow(6, 'eu', d2), everyTypeRow(7, 'apac west', d1), everyTypeRow(8, 'eu', d1), everyTypeRow(10, '', d1), everyTypeRow(11, 'zürich ✓', d2)]));
    // v3: a merge updating one row (and inserting one).
    const updated = everyTypeRow(2, 'eu', d1, { name: 'updated', score: 99.5, flag: true, at: T0 + 42 });
    const merged = await table.merge(batch(everyType.columns, [updated, everyTypeRow(9, 'eu', d2)]), { key: ['id'], whenMatched: (_t, s) => s });
    assert.deepEqual([merged.metrics.updated, merged.metrics.inserted], [1, 1]);
    // v4: the 'us' partitions replaced.
    await table.overwrite(batch(everyType.columns, [everyTypeRow(30, 'us', d2), everyTypeRow(31, 'us', d2)]), { where: [{ column: 'region', op: '=', value: 'us' }] });
    assert.equal(table.version, 4);
    assert.deepEqual(await nonCommitLogKeys(store), []);

    const py = readWithPython(exe, dir, [1, 2, 3]);
    const latest = py.latest;
    assert.equal(latest.version, 4);
    assert.deepEqual(latest.partitionColumns, ['region', 'day']);
    assert.deepEqual(latest.schema, everyType.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable })));
    for (const column of everyType.columns) {
      assert.match(latest.arrowTypes[column.name] ?? 'missing', ARROW_TYPE[column.type], `delta-rs reads ${column.name} (${column.type}) as ${latest.arrowTypes[column.name]}`);
    }
    const ours = await table.rows();
    assert.deepEqual(sortRows(latest.rows, ['id']), sortRows(ours, ['id']));
    assert.deepEqual(latest.rows.filter((r) => r['region'] === null).map((r) => r['id']).sort(), [10, 5], 'null and empty partition values read back as null');
    assert.equal(latest.rows.find((r) => r['id'] === 11)?.['region'], 'zürich ✓');
    assert.deepEqual(latest.rows.find((r) => r['id'] === 2), updated);
    assert.deepEqual(latest.rows.filter((r) => r['region'] === 'us').map((r) => r['id']).sort(), [30, 31]);

    // delta-rs skips files by fitlake's statistics: every name must still be found.
    for (const row of ours.filter((r) => r['name'] !== null)) {
      assert.deepEqual(JSON.parse(python(exe, ['filter', dir, 'name', String(row['name'])])), [row['id']], `delta-rs finds ${String(row['name'])}`);
    }

    for (const v of [1, 2, 3]) {
      const theirs = py.versions[String(v)]!;
      assert.equal(theirs.version, v);
      const mine = await table.rows({ snapshot: await table.snapshotAt(v) });
      assert.deepEqual(sortRows(theirs.rows, ['id']), sortRows(mine, ['id']), `version ${v}`);
    }
  });

  test('a table delta-rs wrote reads the same in fitlake, and takes a fitlake append', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir } = await scratchStore(t);
    python(exe, ['write', dir]);
    const py = readWithPython(exe, dir, [0]);
    assert.equal(py.latest.version, 1);

    const table = await DeltaTable.open(new LocalObjectStore(dir));
    assert.equal(table.version, 1);
    assert.deepEqual(table.snapshot.partitionColumns, ['grp']);
    assert.deepEqual(
      table.snapshot.columns.map((c) => `${c.name}:${c.type}`),
      ['id:long', 'grp:string', 'ts:timestamp', 'day:date', 'note:string', 'score:double', 'ok:boolean'],
    );
    assert.deepEqual(sortRows(await table.rows(), ['id']), sortRows(py.latest.rows, ['id']));
    const v0 = await DeltaTable.open(new LocalObjectStore(dir), 0);
    assert.deepEqual(sortRows(await v0.rows(), ['id']), sortRows(py.versions['0']!.rows, ['id']));
    assert.equal(py.versions['0']!.rows.length, 4);
    assert.deepEqual((await table.history()).map((h) => [h.version, h.operation]), [
      [1, 'WRITE'],
      [0, 'WRITE'],
    ]);

    // delta-rs keeps timestamp statistics to the millisecond; pruning must still find sub-millisecond values.
    const exact = Date.UTC(2023, 9, 2, 8, 15, 0) * 1000 + 123_999;
    assert.deepEqual((await table.rows({ predicates: [{ column: 'ts', op: '=', value: exact }] })).map((r) => r['id']), [9_007_199_254_740_991]);
    assert.deepEqual((await table.rows({ predicates: [{ column: 'ts', op: '>', value: exact }] })).map((r) => r['id']).sort(), [2, 4]);
    assert.deepEqual((await table.rows({ predicates: [{ column: 'grp', op: '=', value: 'a' }] })).map((r) => r['id']).sort(), [1, 3]);
    // delta-rs orders string statistics by UTF-8 bytes: '！' (U+FF01) is the minimum, '😀' the maximum.
    assert.deepEqual((await table.rows({ predicates: [{ column: 'note', op: '=', value: '😀 héllo ✓' }] })).map((r) => r['id']), [3]);
    assert.deepEqual((await table.rows({ predicates: [{ column: 'note', op: '>', value: '！' }] })).map((r) => r['id']).sort(), [1, 3]);

    const added: Row = { id: 10, grp: 'a', ts: T0 + 7, day: 19_632, note: null, score: 0.5, ok: null };
    await table.append(batch(table.snapshot.columns, [added]));
    const after = readWithPython(exe, dir);
    assert.equal(after.latest.version, 2);
    assert.deepEqual(sortRows(after.latest.rows, ['id']), sortRows([...py.latest.rows, added], ['id']));
  });

  test('the change data feed fitlake writes (updates, deletes, partitions) reads the same in delta-rs, and fitlake keeps the feed of a delta-rs table', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir, store } = await scratchStore(t, 'cdf-fitlake');
    const columns: ColumnDef[] = [
      { name: 'id', type: 'long', nullable: false },
      { name: 'grp', type: 'string', nullable: false },
      { name: 'v', type: 'double', nullable: true },
    ];
    const table = await DeltaTable.createIfAbsent(store, { name: 'changes', columns, partitionBy: ['grp'], changeDataFeed: true });
    const rows = [1, 2, 3, 4].map((id) => ({ id, grp: id % 2 ? 'odd' : 'even', v: id / 4 }));
    await table.append(batch(columns, rows));
    await table.merge(batch(columns, [{ id: 1, grp: 'odd', v: 10.5 }, { id: 3, grp: 'odd', v: 0.75 }, { id: 5, grp: 'odd', v: null }]), { key: ['id'], whenMatched: (stored, next) => (stored.v === next.v ? undefined : next) });
    await table.deleteRows({ where: [{ column: 'id', op: '=', value: 2 }], matches: (b, i) => b.columns.get('id')![i] === 2 });
    assert.ok((await table.compact()).filesRemoved > 1, 'compaction rearranged files');
    const change = (version: number, type: string, id: number, v: number | null) => ({ id, grp: id % 2 ? 'odd' : 'even', v, _change_type: type, _commit_version: version });
    const expected = [
      ...rows.map((r) => change(1, 'insert', r.id, r.v)),
      change(2, 'insert', 5, null),
      change(2, 'update_postimage', 1, 10.5),
      change(2, 'update_preimage', 1, 0.25),
      change(3, 'delete', 2, 0.5),
    ];
    const sorted = (list: Row[]) => [...list].sort((a, b) => JSON.stringify([a['_commit_version'], a['_change_type'], a['id']]).localeCompare(JSON.stringify([b['_commit_version'], b['_change_type'], b['id']])));
    assert.deepEqual(sorted(JSON.parse(python(exe, ['cdf', dir, '1'])) as Row[]), sorted(expected), 'delta-rs reads the feed fitlake wrote (compaction adds no change)');
    // fitlake's own reader of what left the table: the pre-image of the update and the deleted row.
    const left: Row[] = [];
    for await (const b of rowsRemovedBetween(store, table.snapshot, 0, table.version)) left.push(...rowsFromBatch(b));
    assert.deepEqual(sortRows(left, ['id']), [{ id: 1, grp: 'odd', v: 0.25 }, { id: 2, grp: 'even', v: 0.5 }]);

    // A table delta-rs made with the feed on: fitlake writes it (writer version 4) and records its changes.
    const { dir: foreign } = await scratchStore(t, 'cdf-delta-rs');
    python(exe, ['write-config', foreign, 'delta.enableChangeDataFeed', 'true']);
    const theirs = await DeltaTable.open(new LocalObjectStore(foreign));
    assert.equal(theirs.snapshot.protocol.minWriterVersion, 4);
    await theirs.merge(batch(theirs.snapshot.columns, [{ id: 2 }, { id: 3 }]), { key: ['id'], whenMatched: () => undefined });
    await theirs.deleteRows({ where: [], matches: (b, i) => b.columns.get('id')![i] === 1 });
    assert.deepEqual(
      (JSON.parse(python(exe, ['cdf', foreign, '1'])) as Row[]).map((r) => [r['_commit_version'], r['_change_type'], r['id']]),
      [
        [1, 'insert', 3],
        [2, 'delete', 1],
      ],
    );
  });

  test('fitlake reads but refuses to write delta-rs tables whose writer properties it does not implement', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir: appendOnly } = await scratchStore(t, 'append-only');
    python(exe, ['write-config', appendOnly, 'delta.appendOnly', 'true']);
    const aoTable = await DeltaTable.open(new LocalObjectStore(appendOnly));
    await aoTable.append(batch(aoTable.snapshot.columns, [{ id: 3 }]));
    await assert.rejects(aoTable.overwrite(batch(aoTable.snapshot.columns, [{ id: 9 }])), (e: unknown) => e instanceof TableFormatError && /append-only/.test(e.message));
    assert.deepEqual(readWithPython(exe, appendOnly).latest.rows.map((r) => r['id']).sort(), [1, 2, 3]);
  });

  test('bronze dump files (delta-encoded offsets and timestamps, no Parquet statistics) read the same in delta-rs', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const lake = await makeTestLake('fitlake-interop-bronze-');
    const tuning = { ...rangeTuning };
    try {
      // Dump lines as devices write them (the part parser's fast path), offsets and times rising with
      // steps of every size, a null key, escapes, and workout records in a second partition.
      const lines: string[] = [];
      let offset = 0;
      let second = 1_678_406_400;
      for (let i = 0; i < 500; i++) {
        offset += i % 50 === 0 ? 1_000_003 : 1 + (i % 3);
        second += i % 7 === 0 ? 86_400 : i % 2;
        const value = JSON.stringify({ device_id: 100_000 + (i % 9), time: second, heartrate: 60 + (i % 40) + 0.125 });
        const key = i % 61 === 0 ? null : String(100_000 + (i % 9));
        lines.push(JSON.stringify({ key, value, topic: i % 10 === 0 ? 'workout' : 'bpm', partition: i % 3, offset, timestamp: second }));
      }
      await mkdir(path.join(lake.landingDir, 'kafka'), { recursive: true });
      await writeFile(path.join(lake.landingDir, 'kafka', 'bpm_0000.json'), lines.join('\n') + '\n');
      // In-thread: the test is about the files the parser writes, not about who runs it.
      delete lake.ctx.threads;
      Object.assign(rangeTuning, { minFileBytes: 0 });
      const result = await bronzeKafkaFiles.run(lake.ctx);
      assert.equal(result.rowsWritten, lines.length);

      const ours = await (await lake.lake.table(kafkaMultiplexBz)).rows();
      const theirs = readWithPython(exe, path.join(lake.dir, 'lake', 'bronze', 'kafka_multiplex_bz')).latest;
      const order = ['topic', 'partition', 'offset'];
      assert.deepEqual(sortRows(theirs.rows, order), sortRows(ours, order));
      assert.equal(theirs.rows.filter((r) => r['key'] === null).length, 9);
    } finally {
      Object.assign(rangeTuning, tuning);
      await rm(lake.dir, { recursive: true, force: true });
    }
  });
  test('delta-rs reads a table fitlake checkpointed, at the latest version and an older one, also once the commits before a checkpoint are gone', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir, store } = await scratchStore(t, 'checkpointed-fitlake');
    const columns: ColumnDef[] = [
      { name: 'id', type: 'long', nullable: false },
      { name: 'grp', type: 'string', nullable: true },
      { name: 'v', type: 'double', nullable: true },
      { name: 'at', type: 'timestamp', nullable: true },
    ];
    const row = (id: number, grp: string | null, v: number | null = id / 4): Row => ({ id, grp, v, at: T0 + id * 1_000_001 });
    const table = await DeltaTable.createIfAbsent(store, { name: 'checkpointed', columns, partitionBy: ['grp'], changeDataFeed: true }); // v0
    const created = table.snapshot;
    await commit(store, { readSnapshot: created, actions: [{ metaData: { ...created.metadata, configuration: { ...created.metadata.configuration, 'delta.checkpointInterval': '3' } } }], operation: 'SET TBLPROPERTIES', readSet: { readsAdded: false } }); // v1
    await table.refresh();
    await table.append(batch(columns, [row(1, 'eu'), row(2, 'us'), row(3, null)]), { txn: { appId: 'ingest', version: 1 } }); // v2
    await table.append(batch(columns, [row(4, 'eu'), row(5, 'zürich ✓')]), { txn: { appId: 'ingest', version: 2 } }); // v3: checkpoint
    await table.merge(batch(columns, [row(1, 'eu', 99.5), row(6, 'us')]), { key: ['id'], whenMatched: (_t, s) => s }); // v4
    await table.overwrite(batch(columns, [row(7, 'us')]), { where: [{ column: 'grp', op: '=', value: 'us' }] }); // v5
    await table.deleteRows({ where: [], matches: (b, i) => b.columns.get('id')![i] === 4 }); // v6: checkpoint
    await table.append(batch(columns, [row(8, null), row(9, 'eu')]), { txn: { appId: 'ingest', version: 3 } }); // v7
    assert.ok((await table.compact({ targetFileRows: 100, smallFileRows: 100 })).filesRemoved > 1); // v8
    await table.append(batch(columns, [row(10, 'eu')])); // v9: checkpoint
    await table.append(batch(columns, [row(11, 'apac')])); // v10
    assert.equal(table.version, 10);
    const checkpoints = (await store.list('_delta_log/')).flatMap((i) => checkpointOfKey(i.key)?.version ?? []);
    assert.deepEqual(checkpoints, [3, 6, 9]);
    assert.equal((await readLastCheckpoint(store))?.version, 9);

    const compare = async (py: { latest: PySnapshot; versions: Record<string, PySnapshot> }, versions: readonly number[]) => {
      assert.equal(py.latest.version, 10);
      assert.deepEqual(sortRows(py.latest.rows, ['id']), sortRows(await table.rows(), ['id']));
      for (const v of versions) {
        const theirs = py.versions[String(v)]!;
        assert.equal(theirs.version, v);
        assert.deepEqual(sortRows(theirs.rows, ['id']), sortRows(await table.rows({ snapshot: await table.snapshotAt(v) }), ['id']), `version ${v}`);
      }
    };
    await compare(readWithPython(exe, dir, [4, 7]), [4, 7]);

    // Versions 0..6 are 40 days old: the log cleanup takes the JSON commits before checkpoint 6 (and
    // checkpoint 3), so delta-rs can only start from the checkpoints fitlake wrote: the latest from 9,
    // version 7 from 6, version 6 from 6 alone.
    const old = (Date.now() - 40 * 86_400_000) / 1000;
    for (let v = 0; v <= 6; v++) for (const key of [commitKey(v), ...(v % 3 === 0 && v > 0 ? checkpointKeys(v) : [])]) await utimes(path.join(dir, key), old, old);
    assert.equal((await table.cleanupLog()).boundary, 6);
    assert.deepEqual((await store.list('_delta_log/')).flatMap((i) => checkpointOfKey(i.key)?.version ?? []), [6, 9]);
    await compare(readWithPython(exe, dir, [6, 7]), [6, 7]);
    assert.equal(JSON.parse(python(exe, ['txn', dir, 'ingest'])), 3, 'the txn of the checkpoint');
    // delta-rs prunes files by the statistics of the checkpoint's add actions.
    const ours = await table.rows();
    for (const grp of ['eu', 'zürich ✓', 'apac']) {
      const ids = ours.filter((r) => r['grp'] === grp).map((r) => r['id'] as number).sort((x, y) => x - y);
      assert.deepEqual(JSON.parse(python(exe, ['filter', dir, 'grp', grp])), ids, `delta-rs finds grp ${grp}`);
    }
    // With _last_checkpoint gone, delta-rs lists the log and finds checkpoint 9 itself.
    await store.delete(LAST_CHECKPOINT_KEY);
    await compare(readWithPython(exe, dir, [9]), [9]);
  });

  test('fitlake reads a table delta-rs checkpointed (without the commits before the checkpoint) and goes on committing to it', { timeout: 120_000 }, async (t) => {
    const exe = deltaPython(t);
    if (!exe) return;
    const { dir, store } = await scratchStore(t, 'checkpointed-delta-rs');
    python(exe, ['write-checkpointed', dir]);
    const theirs = readWithPython(exe, dir).latest;
    assert.equal(theirs.version, 2);
    const hint = await readLastCheckpoint(store);
    assert.equal(hint?.version, 2, 'delta-rs checkpointed version 2');
    // fitlake has to start from delta-rs's checkpoint: its cleanup_metadata took the commits and checkpoints before it.
    const log = (await store.list('_delta_log/')).map((i) => i.key);
    assert.deepEqual(log.filter((k) => checkpointOfKey(k) !== undefined || k.endsWith('.json')), [checkpointKeys(2)[0]!, commitKey(2)]);
    const table = await DeltaTable.open(store);
    assert.equal(table.version, 2);
    assert.equal(table.snapshot.checkpointVersion, 2);
    assert.deepEqual(table.snapshot.partitionColumns, ['grp']);
    assert.deepEqual(sortRows(await table.rows(), ['id']), sortRows(theirs.rows, ['id']));
    assert.equal(table.snapshot.txns.get('rs-app'), 7);
    assert.ok(table.snapshot.tombstones.size >= 1, 'the file the overwrite removed is a tombstone');
    // Files of a checkpoint without fitlake's tag count as added at the checkpoint's version.
    assert.deepEqual([...new Set(table.snapshot.fileVersions.values())], [2]);
    assert.deepEqual((await table.rows({ predicates: [{ column: 'grp', op: '=', value: 'a' }] })).map((r) => r['id']).sort(), [1, 4]);
    assert.deepEqual((await table.rows({ predicates: [{ column: 'id', op: '=', value: 3 }] })).map((r) => r['grp']), [null]);

    // fitlake commits: v3, then v4 (delta.checkpointInterval is 2: fitlake checkpoints 4), v5.
    const added = [{ id: 10, grp: 'a', v: 10.5 }, { id: 11, grp: null, v: null }];
    await table.append(batch(table.snapshot.columns, [added[0]!]));
    await table.merge(batch(table.snapshot.columns, [{ id: 4, grp: 'a', v: 44 }, added[1]!]), { key: ['id'], whenMatched: (_t, s) => s });
    await table.append(batch(table.snapshot.columns, [{ id: 12, grp: 'c', v: 1 }]), { txn: { appId: 'rs-app', version: 8 } });
    assert.equal(table.version, 5);
    assert.equal((await readLastCheckpoint(store))?.version, 4, 'fitlake checkpointed version 4');
    const after = readWithPython(exe, dir, [3, 4]);
    assert.equal(after.latest.version, 5);
    assert.deepEqual(sortRows(after.latest.rows, ['id']), sortRows(await table.rows(), ['id']));
    for (const v of [3, 4]) assert.deepEqual(sortRows(after.versions[String(v)]!.rows, ['id']), sortRows(await table.rows({ snapshot: await table.snapshotAt(v) }), ['id']), `version ${v}`);
    assert.equal(JSON.parse(python(exe, ['txn', dir, 'rs-app'])), 8);
    const reopened = await DeltaTable.open(store);
    assert.deepEqual(sortRows(await reopened.rows(), ['id']), sortRows(after.latest.rows, ['id']));
    // Files fitlake added after delta-rs's checkpoint keep their exact versions through fitlake's.
    assert.deepEqual([...reopened.snapshot.fileVersions.values()].sort(), [...table.snapshot.fileVersions.values()].sort());
  });
});
