/**
 * Interoperability with Apache Spark (delta-spark, FITLAKE_SPARK_PYTHON under `npm test`, installed by
 * devstack/spark.ts): a table fitlake wrote and checkpointed — every column type, nulls, a partition
 * column with a null and non-ASCII values, appends, merges, deletes, a partition overwrite and a
 * compaction, so that both the checkpoint and the JSON commits after it carry remove actions — reads the
 * same in Spark as in fitlake's own reader: rows, schema and the set of live files, at the latest version
 * and by time travel (before the first checkpoint, between checkpoints, after the last one). A copy of
 * the table whose log fitlake's cleanup trimmed behind the last checkpoint proves Spark starts from the
 * checkpoint itself (it cannot replay the commits before it: they are gone), and filtered reads check the
 * statistics Spark skips files by.
 *
 * One Spark session (one JVM start, the bulk of the run time) does every read. Values cross the process
 * boundary as JSON in fitlake's in-memory form: Spark turns timestamps into integer microseconds
 * (unix_micros) and dates into day numbers (unix_date) itself, so nothing depends on a time zone; Python
 * writes doubles in their shortest round-trip form, which JSON.parse reads back to the same double.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { DELTA_SESSION_PY } from '../../devstack/spark.ts';
import type { ColumnDef } from '../../schema/types.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import type { ColumnBatch } from '../../lakehouse/table/columns/index.ts';
import { CHECKPOINT_INTERVAL, checkpointKeys, checkpointOfKey, commit, commitKey, readLastCheckpoint } from '../../lakehouse/table/log/index.ts';
import { batch, logVersions, scratchStore, sortRows, T0, type Row } from '../support/delta-helpers.ts';

/** Python side (after DELTA_SESSION_PY): reads the JSON list of reads in argv[1], prints one result line. */
const READ_PY = String.raw`
import json, os, sys, urllib.parse
from pyspark.sql import functions as F
from delta.tables import DeltaTable

spark = delta_session('fitlake-delta-spark-test')

def plain(df):
    # Timestamps and dates as fitlake holds them, converted by Spark exactly (no Python datetime, no zone).
    cols = []
    for f in df.schema.fields:
        c = F.col(f.name)
        kind = f.dataType.typeName()
        if kind == 'timestamp':
            c = F.unix_micros(c)
        elif kind == 'date':
            c = F.unix_date(c)
        cols.append(c.alias(f.name))
    return df.select(*cols)

results = []
for read in json.loads(sys.argv[1]):
    reader = spark.read.format('delta')
    if read['version'] is not None:
        reader = reader.option('versionAsOf', read['version'])
    df = reader.load(read['path'])
    result = {
        'schema': [[f.name, f.dataType.simpleString(), f.nullable] for f in df.schema.fields],
        'files': sorted(os.path.basename(urllib.parse.unquote(f)) for f in df.inputFiles()),
        'rows': [r.asDict() for r in plain(df).collect()],
        'filtered': [sorted(r['id'] for r in df.where(w).select('id').collect()) for w in read['where']],
    }
    if read['version'] is None:
        table = DeltaTable.forPath(spark, read['path'])
        result['version'] = table.history(1).collect()[0]['version']
        detail = table.detail().collect()[0]
        result['partitionColumns'] = list(detail['partitionColumns'])
        result['numFiles'] = detail['numFiles']
    results.append(result)
spark.stop()
# A marked line: nothing Spark or py4j might print to stdout can be taken for the result.
print('FITLAKE_SPARK_RESULT ' + json.dumps(results, allow_nan=False))
`;

interface SparkRead {
  path: string;
  version: number | null;
  /** Spark SQL conditions; each gives the sorted ids of the rows Spark finds (after skipping files by statistics). */
  where: string[];
}

interface SparkResult {
  schema: [string, string, boolean][];
  files: string[];
  rows: Row[];
  filtered: number[][];
  version?: number;
  partitionColumns?: string[];
  numFiles?: number;
}

/** The Spark type (simpleString) each fitlake column type must read as. */
const SPARK_TYPE: Record<ColumnDef['type'], string> = {
  string: 'string',
  long: 'bigint',
  integer: 'int',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamp',
  date: 'date',
};

const columns = [
  { name: 'id', type: 'long', nullable: false },
  { name: 'region', type: 'string', nullable: true },
  { name: 'name', type: 'string', nullable: true },
  { name: 'big', type: 'long', nullable: true },
  { name: 'small', type: 'integer', nullable: true },
  { name: 'score', type: 'double', nullable: true },
  { name: 'flag', type: 'boolean', nullable: true },
  { name: 'at', type: 'timestamp', nullable: true },
  { name: 'day', type: 'date', nullable: true },
  { name: 'seen', type: 'timestamp', nullable: false },
] as const satisfies readonly ColumnDef[];

// Doubles whose text form is easy to get wrong (shortest round trip, subnormal, extremes, binary fractions).
const SCORES = [0.1, 1 / 3, -2.25, 1e300, 5e-324, -1.7976931348623157e308, 0.30000000000000004, 123456789.000001];
// Days: 2023-10-02, 1969-12-31, 2024-02-29, 1900-01-01, 9999-12-31. (Spark by default refuses dates
// before 1582-10-15 in Parquet files not written by Spark: its calendar rebase guard, not fitlake's data.)
const DAYS = [19_632, -1, 19_782, -25_567, 2_932_896];
// Microseconds: one before the epoch, 1900-01-01, 2200-01-01 and microsecond-exact times near T0.
const TIMES = [-1, -2_208_988_800_000_000, 7_258_118_400_000_000];

function row(id: number, region: string | null, overrides: Row = {}): Row {
  return {
    id,
    region,
    name: id % 3 === 0 ? null : id % 2 === 0 ? `！name ${id}` : `😀 "name" \\ ${id} ✓`,
    big: id % 4 === 0 ? null : (id % 2 ? 1 : -1) * (Number.MAX_SAFE_INTEGER - id),
    small: id % 5 === 0 ? null : -2_147_483_648 + id,
    score: id % 2 === 0 ? null : SCORES[(id >> 1) % SCORES.length]!,
    flag: id % 3 === 1 ? null : id % 2 === 0,
    at: id % 4 === 1 ? null : id % 4 === 3 ? TIMES[id % TIMES.length]! : T0 + id * 1_000_001,
    day: id % 6 === 2 ? null : DAYS[id % DAYS.length]!,
    seen: T0 - id * 86_400_000_000 + 999_999,
    ...overrides,
  };
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function sparkPython(t: TestContext): string | undefined {
  const exe = process.env.FITLAKE_SPARK_PYTHON;
  if (!exe) {
    t.skip(
      'Spark with delta-spark is not available (FITLAKE_SPARK_PYTHON unset): run through `npm test`, which installs it into .tools/py-spark (devstack/spark.ts) and sets the variable, or set FITLAKE_SPARK_PYTHON=.tools/py-spark/bin/python once it is installed',
    );
  }
  return exe;
}

async function readWithSpark(t: TestContext, exe: string, reads: readonly SparkRead[]): Promise<SparkResult[]> {
  // Spark's working files (spark-warehouse, if anything asks for one) land in a folder of the test.
  const cwd = await mkdtemp(path.join(os.tmpdir(), 'fitlake-spark-cwd-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(exe, ['-c', DELTA_SESSION_PY + READ_PY, JSON.stringify(reads)], {
      cwd,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      // Killing Python ends Spark's JVM too: it exits when the pipe from its Python driver closes.
      timeout: 150_000,
      killSignal: 'SIGKILL',
    }));
  } catch (e) {
    const { stderr, message } = e as Error & { stderr?: string };
    assert.fail(`the Spark read failed: ${message.split('\n')[0]}\n${(stderr ?? '').slice(-6000)}`);
  }
  const line = stdout.split('\n').find((l) => l.startsWith('FITLAKE_SPARK_RESULT '));
  assert.ok(line, `no result line from the Spark script; stdout:\n${stdout.slice(-4000)}`);
  return JSON.parse(line.slice('FITLAKE_SPARK_RESULT '.length)) as SparkResult[];
}

test('Spark (delta-spark) reads a table fitlake checkpointed the same as fitlake: latest, by time travel, and from the checkpoint alone once the log behind it is cleaned up', { timeout: 180_000 }, async (t) => {
  const exe = sparkPython(t);
  if (!exe) return;
  const { dir, store } = await scratchStore(t, 'spark-checkpointed');
  // A change data feed, as every table of the lake has: merges and deletes also write _change_data files, which readers of the table skip.
  const table = await DeltaTable.createIfAbsent(store, { name: 'spark_checkpointed', columns, partitionBy: ['region'], changeDataFeed: true }); // v0
  const created = table.snapshot;
  // A checkpoint after every fifth commit: 5 and 10 below, and 11..14 stay JSON after the last one.
  await commit(store, { readSnapshot: created, actions: [{ metaData: { ...created.metadata, configuration: { ...created.metadata.configuration, [CHECKPOINT_INTERVAL]: '5' } } }], operation: 'SET TBLPROPERTIES', readSet: { readsAdded: false } }); // v1
  await table.refresh();
  const regions = ['eu', 'us', null, 'zürich ✓', 'eu'];
  const rows = (from: number, to: number, overrides: Row = {}) => batch(columns, ids(from, to).map((id) => row(id, regions[id % regions.length] ?? null, overrides)));
  const idIs = (wanted: (id: number) => boolean) => (b: ColumnBatch, i: number) => wanted(b.columns.get('id')![i] as number);

  await table.append(rows(1, 8), { targetFileRows: 3 }); // v2
  await table.append(rows(9, 14)); // v3
  await table.append(rows(15, 20), { txn: { appId: 'ingest', version: 1 } }); // v4
  await table.merge(rows(5, 7, { name: 'merged', score: -0.5 }), { key: ['id'], whenMatched: (_t, s) => s }); // v5: updates only; checkpoint
  await table.append(rows(21, 24)); // v6
  await table.deleteRows({ where: [], matches: idIs((id) => id % 7 === 0) }); // v7
  await table.overwrite(batch(columns, [row(30, 'us'), row(31, 'us', { flag: null, at: null })]), { where: [{ column: 'region', op: '=', value: 'us' }] }); // v8
  await table.append(rows(32, 36)); // v9
  await table.merge(batch(columns, [row(2, null, { small: 7 }), row(40, 'zürich ✓')]), { key: ['id'], whenMatched: (_t, s) => s }); // v10: checkpoint
  await table.merge(rows(9, 12, { big: 0, name: null }), { key: ['id'], whenMatched: (_t, s) => s }); // v11: removes files the checkpoint holds
  await table.deleteRows({ where: [{ column: 'region', op: '=', value: 'eu' }], matches: idIs((id) => id % 2 === 0) }); // v12
  assert.ok((await table.compact({ targetFileRows: 100, smallFileRows: 100 })).filesRemoved > 1, 'compaction rearranged files'); // v13
  await table.append(batch(columns, [...ids(50, 52).map((id) => row(id, 'apac')), row(60, 'eu', { seen: T0, at: T0 + 1 })]), { txn: { appId: 'ingest', version: 2 } }); // v14
  assert.equal(table.version, 14);
  assert.deepEqual((await store.list('_delta_log/')).flatMap((i) => checkpointOfKey(i.key)?.version ?? []), [5, 10], 'fitlake checkpointed 5 and 10');
  assert.equal((await readLastCheckpoint(store))?.version, 10);
  assert.ok(table.snapshot.tombstones.size > 0, 'the latest snapshot has tombstones');

  // The copy whose log fitlake's cleanup trims: commits 0..10 and both checkpoints look 40 days old, so
  // everything before checkpoint 10 goes and a reader has to start from that checkpoint.
  const trimmedDir = `${dir}-trimmed`;
  await cp(dir, trimmedDir, { recursive: true });
  t.after(() => rm(trimmedDir, { recursive: true, force: true }));
  const old = (Date.now() - 40 * 86_400_000) / 1000;
  for (let v = 0; v <= 10; v++) for (const key of [commitKey(v), ...(v === 5 || v === 10 ? checkpointKeys(v) : [])]) await utimes(path.join(trimmedDir, key), old, old);
  const trimmedStore = new LocalObjectStore(trimmedDir);
  assert.equal((await (await DeltaTable.open(trimmedStore)).cleanupLog()).boundary, 10);
  assert.deepEqual(await logVersions(trimmedStore), ids(10, 14), 'the JSON commits before checkpoint 10 are gone');
  // fitlake's side of the comparison reads each log afresh, as Spark does (not the writer's snapshot in memory).
  const reread = await DeltaTable.open(store);
  const trimmed = await DeltaTable.open(trimmedStore);
  assert.equal(trimmed.snapshot.checkpointVersion, 10);

  // Filtered reads (Spark skips files by the statistics of the checkpoint's and the commits' add actions), with the same condition in JavaScript.
  const filters: [string, (r: Row) => boolean][] = [
    ['id >= 20 AND id < 40', (r) => (r['id'] as number) >= 20 && (r['id'] as number) < 40],
    [`seen < timestamp_micros(${T0 - 30 * 86_400_000_000})`, (r) => (r['seen'] as number) < T0 - 30 * 86_400_000_000],
    [`at = timestamp_micros(${TIMES[1]})`, (r) => r['at'] === TIMES[1]],
    [`day = date_from_unix_date(${DAYS[4]})`, (r) => r['day'] === DAYS[4]],
    ['score = 1e300 OR score < -1e300', (r) => r['score'] === 1e300 || (r['score'] !== null && (r['score'] as number) < -1e300)],
    ['region IS NULL', (r) => r['region'] === null],
    ["region = 'zürich ✓'", (r) => r['region'] === 'zürich ✓'],
  ];
  // Version 3 replays JSON commits only, 7 starts at checkpoint 5, 12 and the latest at checkpoint 10;
  // of the trimmed copy, 10 is the checkpoint alone.
  const reads: { read: SparkRead; of: DeltaTable }[] = [
    { read: { path: dir, version: null, where: filters.map(([w]) => w) }, of: reread },
    ...[3, 7, 12].map((version) => ({ read: { path: dir, version, where: [] }, of: reread })),
    { read: { path: trimmedDir, version: null, where: filters.map(([w]) => w) }, of: trimmed },
    ...[10, 12].map((version) => ({ read: { path: trimmedDir, version, where: [] }, of: trimmed })),
  ];
  const results = await readWithSpark(t, exe, reads.map((r) => r.read));
  assert.equal(results.length, reads.length);

  const wantSchema = columns.map((c) => [c.name, SPARK_TYPE[c.type], c.nullable]);
  for (const [i, { read, of }] of reads.entries()) {
    const label = `${read.path === dir ? 'table' : 'trimmed copy'} at ${read.version ?? 'latest'}`;
    const spark = results[i]!;
    const snapshot = read.version === null ? of.snapshot : await of.snapshotAt(read.version);
    const ours = sortRows(await of.rows({ snapshot }), ['id']) as Row[];
    assert.ok(ours.length > 10, `${label}: the version has rows`);
    assert.deepEqual(spark.schema, wantSchema, `${label}: schema`);
    assert.deepEqual(sortRows(spark.rows, ['id']), ours, `${label}: rows`);
    const liveFiles = [...snapshot.files.keys()].map((key) => path.posix.basename(decodeURIComponent(key))).sort();
    assert.deepEqual(spark.files, liveFiles, `${label}: live files`);
    if (read.where.length > 0) {
      for (const [j, [where, keep]] of filters.entries()) {
        const want = ours.filter(keep).map((r) => r['id'] as number).sort((x, y) => x - y);
        assert.deepEqual(spark.filtered[j], want, `${label}: ${where}`);
      }
    }
    if (read.version === null) {
      assert.equal(spark.version, 14, `${label}: version`);
      assert.deepEqual(spark.partitionColumns, ['region'], `${label}: partition columns`);
      assert.equal(spark.numFiles, snapshot.files.size, `${label}: number of files`);
    }
  }
  // The filters select something and leave something out, or they would prove nothing about skipping.
  const latest = results[0]!;
  for (const [j, [where]] of filters.entries()) assert.ok(latest.filtered[j]!.length > 0 && latest.filtered[j]!.length < latest.rows.length, `the filter ${where} selects some rows`);
});
