import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { Field, Int64, RecordBatch, Schema, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { Cell, ColumnDef } from '../../schema/types.ts';
import { batchFromRows, rowsFromBatch, type ColumnBatch } from '../../lakehouse/table/columns/index.ts';
import { encodeParquet, decodeParquet, decodeParquetBatches, readParquetFooter } from '../../lakehouse/table/parquet/index.ts';

const MAX_SAFE = Number.MAX_SAFE_INTEGER; // 2^53 − 1

/** Every column type twice: nullable (with nulls in the data) and required. */
const ALL_TYPES: readonly ColumnDef[] = [
  { name: 's', type: 'string', nullable: true },
  { name: 'l', type: 'long', nullable: true },
  { name: 'i', type: 'integer', nullable: true },
  { name: 'd', type: 'double', nullable: true },
  { name: 'b', type: 'boolean', nullable: true },
  { name: 't', type: 'timestamp', nullable: true },
  { name: 'dt', type: 'date', nullable: true },
  { name: 's_req', type: 'string', nullable: false },
  { name: 'l_req', type: 'long', nullable: false },
  { name: 'i_req', type: 'integer', nullable: false },
  { name: 'd_req', type: 'double', nullable: false },
  { name: 'b_req', type: 'boolean', nullable: false },
  { name: 't_req', type: 'timestamp', nullable: false },
  { name: 'dt_req', type: 'date', nullable: false },
];

const ROWS: Record<string, Cell>[] = [
  { s: 'héllo wörld ✓', l: MAX_SAFE, i: -2147483648, d: -0.5, b: true, t: -1, dt: -719162 },
  { s: null, l: null, i: null, d: null, b: null, t: null, dt: null },
  { s: '', l: -MAX_SAFE, i: 2147483647, d: 1e308, b: false, t: 1_700_000_000_123_457, dt: 2_932_896 },
  { s: '🫀 beat', l: 0, i: 0, d: Number.MIN_VALUE, b: null, t: 0, dt: 0 },
].map((row: Record<string, Cell>) => {
  // Required twins hold the nullable column's value, or a fixed stand-in where it is null.
  const fallback: Record<string, Cell> = { s: 'x', l: 7, i: 7, d: 7.5, b: true, t: 7, dt: 7 };
  const out: Record<string, Cell> = { ...row };
  for (const key of Object.keys(row)) out[`${key}_req`] = row[key] ?? fallback[key]!;
  return out;
});

async function roundTrip(columns: readonly ColumnDef[], batch: ColumnBatch, requested = columns): Promise<ColumnBatch> {
  return decodeParquet(encodeParquet(columns, batch).bytes, requested);
}

test('every column type round-trips, with and without nulls', async () => {
  const decoded = await roundTrip(ALL_TYPES, batchFromRows(ALL_TYPES, ROWS));
  assert.equal(decoded.numRows, ROWS.length);
  assert.deepEqual([...decoded.columns.keys()], ALL_TYPES.map((c) => c.name));
  assert.deepEqual(rowsFromBatch(decoded), ROWS);
});

test('round-trips with every compression and with several row groups', async () => {
  const rows = Array.from({ length: 1000 }, (_, k) => ({ s: k % 7 === 0 ? null : `row ${k}`, l: k * 1_000_003 - 5e8, t: k % 3 ? -k * 999_999 : null }));
  const columns = ALL_TYPES.filter((c) => c.name === 's' || c.name === 'l' || c.name === 't');
  const batch = batchFromRows(columns, rows);
  for (const compression of ['snappy', 'zstd', 'none'] as const) {
    const { bytes } = encodeParquet(columns, batch, { compression, rowGroupRows: 128 });
    assert.equal((await readParquetFooter(bytes)).numRowGroups, 8);
    assert.deepEqual(rowsFromBatch(await decodeParquet(bytes, columns)), rows, compression);
  }
});

test('timestamps keep every microsecond, before and after 1970', async () => {
  const columns: ColumnDef[] = [{ name: 'time', type: 'timestamp', nullable: false }];
  const times = [
    -1, // 1969-12-31T23:59:59.999999Z
    -1_000_001,
    -8_520_336_000_000_000, // 1700-01-01T00:00:00Z
    -8_520_335_999_999_999,
    1,
    1_704_067_200_000_001, // 2024-01-01T00:00:00.000001Z
    7_258_118_399_999_999, // 2199-12-31T23:59:59.999999Z
    // A safe-integer microsecond count spans 1684-06-29 … 2255-06-05: the widest the in-memory
    // representation allows.
    -MAX_SAFE,
    MAX_SAFE,
  ];
  const decoded = await roundTrip(columns, { numRows: times.length, columns: new Map([['time', times]]) });
  assert.deepEqual(decoded.columns.get('time'), times);
});

test('longs round-trip exactly at ±(2^53−1)', async () => {
  const columns: ColumnDef[] = [{ name: 'id', type: 'long', nullable: false }];
  const ids = [MAX_SAFE, -MAX_SAFE, MAX_SAFE - 1, -MAX_SAFE + 1, 2 ** 32, -(2 ** 32), 2 ** 31, -(2 ** 31) - 1, -1, 0];
  const decoded = await roundTrip(columns, { numRows: ids.length, columns: new Map([['id', ids]]) });
  assert.deepEqual(decoded.columns.get('id'), ids);
});

test('an unsafe long is rejected, naming column and row, never rounded', () => {
  const columns: ColumnDef[] = [{ name: 'device_id', type: 'long', nullable: false }];
  for (const bad of [2 ** 53, -(2 ** 53), 1.5, Infinity, NaN]) {
    const batch = { numRows: 3, columns: new Map([['device_id', [1, 2, bad]]]) };
    assert.throws(() => encodeParquet(columns, batch), (e: unknown) => {
      assert.ok(e instanceof RangeError, String(e));
      assert.match(e.message, /column "device_id".*row 2/);
      return true;
    });
  }
});

test('a null in a non-nullable column is rejected, naming column and row', () => {
  for (const type of ['string', 'long', 'integer', 'double', 'boolean', 'timestamp', 'date'] as const) {
    const columns: ColumnDef[] = [{ name: `c_${type}`, type, nullable: false }];
    const sample = { string: 'a', long: 1, integer: 1, double: 1, boolean: true, timestamp: 1, date: 1 }[type];
    const batch = { numRows: 2, columns: new Map([[`c_${type}`, [sample, null]]]) };
    assert.throws(() => encodeParquet(columns, batch), new RangeError(`column "c_${type}" (${type}) row 1: null in a non-nullable column`));
  }
});

test('values of the wrong JS type or out of range are rejected', () => {
  const cases: [ColumnDef, Cell | undefined, typeof TypeError | typeof RangeError][] = [
    [{ name: 'n', type: 'long', nullable: true }, '12', TypeError],
    [{ name: 'n', type: 'timestamp', nullable: true }, undefined, TypeError],
    [{ name: 'n', type: 'string', nullable: true }, 12, TypeError],
    [{ name: 'n', type: 'boolean', nullable: true }, 1, TypeError],
    [{ name: 'n', type: 'double', nullable: true }, true, TypeError],
    [{ name: 'n', type: 'integer', nullable: true }, 2 ** 31, RangeError],
    [{ name: 'n', type: 'date', nullable: true }, 0.5, RangeError],
  ];
  for (const [column, value, ErrorClass] of cases) {
    const batch = { numRows: 2, columns: new Map([['n', [null, value as Cell]]]) };
    assert.throws(() => encodeParquet([column], batch), (e: unknown) => e instanceof ErrorClass && /column "n" .* row 1/.test(e.message));
  }
  assert.throws(() => encodeParquet([{ name: 'gone', type: 'long', nullable: true }], batchFromRows([], [{}])), /column "gone" is missing/);
});

test('stats: min/max over non-null values, null counts, record count', () => {
  const { stats } = encodeParquet(ALL_TYPES, batchFromRows(ALL_TYPES, ROWS));
  assert.equal(stats.numRecords, 4);
  assert.deepEqual(stats.nullCount, { s: 1, l: 1, i: 1, d: 1, b: 2, t: 1, dt: 1, s_req: 0, l_req: 0, i_req: 0, d_req: 0, b_req: 0, t_req: 0, dt_req: 0 });
  const expectedMin = { s: '', l: -MAX_SAFE, i: -2147483648, d: -0.5, t: -1, dt: -719162 };
  const expectedMax = { s: '🫀 beat', l: MAX_SAFE, i: 2147483647, d: 1e308, t: 1_700_000_000_123_457, dt: 2_932_896 };
  assert.deepEqual(stats.minValues, { ...expectedMin, ...Object.fromEntries(Object.entries(expectedMin).map(([k, v]) => [`${k}_req`, v])) });
  assert.deepEqual(stats.maxValues, { ...expectedMax, ...Object.fromEntries(Object.entries(expectedMax).map(([k, v]) => [`${k}_req`, v])) });
  assert.ok(!('b' in stats.minValues) && !('b_req' in stats.maxValues), 'no min/max for booleans');
});

test('stats: all-null columns have no min/max, NaN is left out of the order', () => {
  const columns: ColumnDef[] = [
    { name: 'empty', type: 'string', nullable: true },
    { name: 'x', type: 'double', nullable: true },
  ];
  const { stats } = encodeParquet(columns, batchFromRows(columns, [{ x: NaN }, { x: 2 }, { x: null }, { x: -3 }]));
  assert.deepEqual(stats, { numRecords: 4, minValues: { x: -3 }, maxValues: { x: 2 }, nullCount: { empty: 4, x: 1 } });
});

test('projection returns only the requested columns, in the requested order', async () => {
  const decoded = await roundTrip(ALL_TYPES, batchFromRows(ALL_TYPES, ROWS), [ALL_TYPES[5]!, ALL_TYPES[0]!]);
  assert.deepEqual([...decoded.columns.keys()], ['t', 's']);
  assert.deepEqual(decoded.columns.get('s'), ROWS.map((r) => r['s']));
});

/** A file with one INT64 column holding 2^60, which no `long` can represent, next to a good column. */
function fileWithHugeInt64(): Uint8Array {
  const fields = [new Field('huge', new Int64(), false), new Field('ok', new Int64(), false)];
  const children = [
    makeData({ type: fields[0]!.type as Int64, length: 2, data: new BigInt64Array([1n, 2n ** 60n]) }),
    makeData({ type: fields[1]!.type as Int64, length: 2, data: new BigInt64Array([3n, 4n]) }),
  ];
  const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 2, children }));
  return parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(tableToIPC(new Table(batch), 'stream')));
}

test('reading an INT64 beyond ±(2^53−1) throws a RangeError naming the column; projection never touches it', async () => {
  const bytes = fileWithHugeInt64();
  const ok = await decodeParquet(bytes, [{ name: 'ok', type: 'long', nullable: false }]);
  assert.deepEqual(ok.columns.get('ok'), [3, 4]);
  await assert.rejects(decodeParquet(bytes, [{ name: 'huge', type: 'long', nullable: false }]), (e: unknown) => {
    assert.ok(e instanceof RangeError);
    assert.match(e.message, /column "huge" row 1: INT64 value 1152921504606846976/);
    return true;
  });
});

test('a requested column absent from the file comes back all null (if nullable)', async () => {
  const columns: ColumnDef[] = [{ name: 'a', type: 'long', nullable: false }];
  const { bytes } = encodeParquet(columns, batchFromRows(columns, [{ a: 1 }, { a: 2 }]));
  const added: ColumnDef = { name: 'added', type: 'string', nullable: true };
  const decoded = await decodeParquet(bytes, [...columns, added]);
  assert.deepEqual(decoded.columns.get('added'), [null, null]);
  assert.deepEqual(decoded.columns.get('a'), [1, 2]);
  const onlyAdded = await decodeParquet(bytes, [added]);
  assert.equal(onlyAdded.numRows, 2);
  assert.deepEqual(onlyAdded.columns.get('added'), [null, null]);
  await assert.rejects(decodeParquet(bytes, [{ name: 'added', type: 'string', nullable: false }]), TypeError);
});

test('a null found in a column requested as non-nullable is a RangeError naming column and row', async () => {
  const x: ColumnDef = { name: 'x', type: 'double', nullable: true };
  const { bytes } = encodeParquet([x], batchFromRows([x], [{ x: 1 }, { x: 2 }, { x: null }]));
  await assert.rejects(decodeParquet(bytes, [{ ...x, nullable: false }]), new RangeError('column "x" row 2: null in a non-nullable column'));
});

test('a column stored with an incompatible type is a TypeError naming it', async () => {
  const x: ColumnDef = { name: 'x', type: 'string', nullable: true };
  const { bytes } = encodeParquet([x], batchFromRows([x], [{}]));
  await assert.rejects(decodeParquet(bytes, [{ name: 'x', type: 'long', nullable: true }]), new TypeError('column "x": the file stores it as Arrow Utf8, which cannot be read as long'));
});

test('an empty batch round-trips', async () => {
  const encoded = encodeParquet(ALL_TYPES, batchFromRows(ALL_TYPES, []));
  assert.equal(encoded.stats.numRecords, 0);
  assert.deepEqual(encoded.stats.minValues, {});
  const footer = await readParquetFooter(encoded.bytes);
  assert.equal(footer.numRows, 0);
  assert.deepEqual(footer.fields.map((f) => f.name), ALL_TYPES.map((c) => c.name));
  const decoded = await decodeParquet(encoded.bytes, ALL_TYPES);
  assert.equal(decoded.numRows, 0);
  for (const column of ALL_TYPES) assert.deepEqual(decoded.columns.get(column.name), []);
});

test('concurrent decodes of different files do not interfere', async () => {
  const columns: ColumnDef[] = [{ name: 'v', type: 'long', nullable: false }];
  const files = Array.from({ length: 8 }, (_, f) => encodeParquet(columns, { numRows: 100, columns: new Map([['v', Array.from({ length: 100 }, (_, i) => f * 1000 + i)]]) }).bytes);
  const decoded = await Promise.all(files.map((bytes) => decodeParquet(bytes, columns)));
  decoded.forEach((batch, f) => assert.equal(batch.columns.get('v')![99], f * 1000 + 99));
});

// ---- interoperability with pyarrow (runs only when FITLAKE_PYTHON names a python with pyarrow) ---

const PYTHON = process.env['FITLAKE_PYTHON'];

function python(script: string, ...args: string[]): string {
  const run = spawnSync(PYTHON!, ['-c', script, ...args], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`python failed: ${run.stderr}`);
  return run.stdout;
}

function pyarrowAvailable(): boolean {
  return PYTHON !== undefined && spawnSync(PYTHON, ['-c', 'import pyarrow.parquet'], { encoding: 'utf8' }).status === 0;
}

/** Runs `check` with a scratch folder when pyarrow is available (the folder is removed after); skips with `why` otherwise. */
async function withPyarrow(t: TestContext, why: string, check: (dir: string) => Promise<void> | void): Promise<void> {
  if (!pyarrowAvailable()) {
    t.skip(`set FITLAKE_PYTHON to a python with pyarrow (e.g. .tools/py/bin/python) to ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fitlake-parquet-'));
  try {
    await check(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PY_READ = `
import json, sys
import pyarrow as pa, pyarrow.parquet as pq
t = pq.read_table(sys.argv[1])
def plain(col):
    # timestamps and dates as integers (µs, days) so that nothing is lost on the way to JSON
    if pa.types.is_timestamp(col.type): col = col.cast(pa.int64())
    if pa.types.is_date32(col.type): col = col.cast(pa.int32())
    return col.to_pylist()
print(json.dumps({
    'types': {f.name: str(f.type) for f in t.schema},
    'nullable': {f.name: f.nullable for f in t.schema},
    'physical': {c.name: [c.physical_type, str(c.logical_type)] for c in pq.ParquetFile(sys.argv[1]).schema},
    'values': {n: plain(t.column(n)) for n in t.column_names},
}))
`;

const PY_WRITE = `
import sys, datetime
import pyarrow as pa, pyarrow.parquet as pq
utc = datetime.timezone.utc
t = pa.table({
    's': pa.array(['héllo', None, '🫀'], pa.string()),
    'l': pa.array([2**53 - 1, None, -(2**53 - 1)], pa.int64()),
    'i': pa.array([-2**31, 2**31 - 1, None], pa.int32()),
    'd': pa.array([1.25, None, -0.0], pa.float64()),
    'b': pa.array([True, False, None], pa.bool_()),
    't': pa.array([datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=utc), None,
                   datetime.datetime(2024, 2, 29, 12, 0, 0, 1, tzinfo=utc)], pa.timestamp('us', tz='UTC')),
    'dt': pa.array([datetime.date(1900, 1, 1), datetime.date(2024, 2, 29), None], pa.date32()),
    'l_req': pa.array([1, 2, 3], pa.int64()),
}, schema=pa.schema([
    ('s', pa.string()), ('l', pa.int64()), ('i', pa.int32()), ('d', pa.float64()), ('b', pa.bool_()),
    ('t', pa.timestamp('us', tz='UTC')), ('dt', pa.date32()), pa.field('l_req', pa.int64(), nullable=False),
]))
pq.write_table(t, sys.argv[1], compression='snappy')
`;

test('pyarrow reads our files with the Delta types; we read files pyarrow wrote', async (t) => {
  await withPyarrow(t, 'run the interop check', async (dir) => {
    const ours = join(dir, 'ours.parquet');
    writeFileSync(ours, encodeParquet(ALL_TYPES, batchFromRows(ALL_TYPES, ROWS)).bytes);
    const seen = JSON.parse(python(PY_READ, ours)) as {
      types: Record<string, string>;
      nullable: Record<string, boolean>;
      physical: Record<string, [string, string]>;
      values: Record<string, Cell[]>;
    };
    const arrowType = { string: 'string', long: 'int64', integer: 'int32', double: 'double', boolean: 'bool', timestamp: 'timestamp[us, tz=UTC]', date: 'date32[day]' };
    for (const column of ALL_TYPES) {
      assert.equal(seen.types[column.name], arrowType[column.type], column.name);
      assert.equal(seen.nullable[column.name], column.nullable, column.name);
      assert.deepEqual(seen.values[column.name], ROWS.map((r) => r[column.name]), column.name);
    }
    assert.deepEqual(seen.physical['s'], ['BYTE_ARRAY', 'String']);
    assert.deepEqual(seen.physical['t'], ['INT64', 'Timestamp(isAdjustedToUTC=true, timeUnit=microseconds, is_from_converted_type=false, force_set_converted_type=false)']);
    assert.deepEqual(seen.physical['dt'], ['INT32', 'Date']);

    const theirs = join(dir, 'theirs.parquet');
    python(PY_WRITE, theirs);
    const columns: ColumnDef[] = [...ALL_TYPES.slice(0, 7), { name: 'l_req', type: 'long', nullable: false }];
    const decoded = await decodeParquet(readFileSync(theirs), columns);
    assert.deepEqual(Object.fromEntries(decoded.columns), {
      s: ['héllo', null, '🫀'],
      l: [MAX_SAFE, null, -MAX_SAFE],
      i: [-(2 ** 31), 2 ** 31 - 1, null],
      d: [1.25, null, -0],
      b: [true, false, null],
      t: [-1, null, Date.UTC(2024, 1, 29, 12) * 1000 + 1],
      dt: [-25567, 19782, null],
      l_req: [1, 2, 3],
    });

    // Other writers' lossless variants: nanosecond timestamps (beyond 2^53 for any recent date) are
    // accepted when they fall on whole microseconds, and refused when they would be truncated.
    const nanos = join(dir, 'nanos.parquet');
    const pyNanos = `
import sys, pyarrow as pa, pyarrow.parquet as pq
pq.write_table(pa.table({'t': pa.array([1709208000000001000, None], pa.timestamp('ns', tz='UTC'))}), sys.argv[1], coerce_timestamps=None)
pq.write_table(pa.table({'t': pa.array([1709208000000001001], pa.timestamp('ns', tz='UTC'))}), sys.argv[2], coerce_timestamps=None)
`;
    python(pyNanos, nanos, `${nanos}.bad`);
    const time: ColumnDef[] = [{ name: 't', type: 'timestamp', nullable: true }];
    assert.deepEqual((await decodeParquet(readFileSync(nanos), time)).columns.get('t'), [1_709_208_000_000_001, null]);
    await assert.rejects(decodeParquet(readFileSync(`${nanos}.bad`), time), /column "t" row 0: timestamp\(ns\) value 1709208000000001001/);
  });
});

test('statistics: false writes a file without Parquet statistics that reads back the same', async (t) => {
  const batch = batchFromRows(ALL_TYPES, ROWS);
  const plain = encodeParquet(ALL_TYPES, batch, { statistics: false });
  assert.deepEqual(rowsFromBatch(await decodeParquet(plain.bytes, ALL_TYPES)), ROWS);
  // Delta's statistics are the same either way: they are not read from the file.
  assert.deepEqual(plain.stats, encodeParquet(ALL_TYPES, batch).stats);
  await withPyarrow(t, 'check the footers', async (dir) => {
    const statsSet = `
import sys, json, pyarrow.parquet as pq
m = pq.ParquetFile(sys.argv[1]).metadata
print(json.dumps([m.row_group(0).column(i).is_stats_set for i in range(m.num_columns)]))
`;
    const withStats = join(dir, 'with.parquet');
    const without = join(dir, 'without.parquet');
    writeFileSync(withStats, encodeParquet(ALL_TYPES, batch).bytes);
    writeFileSync(without, plain.bytes);
    assert.deepEqual(JSON.parse(python(statsSet, withStats)), ALL_TYPES.map(() => true));
    assert.deepEqual(JSON.parse(python(statsSet, without)), ALL_TYPES.map(() => false));
  });
});

test('deltaEncoded integer columns round-trip exactly, rising or not, and other readers see the encoding', async (t) => {
  const columns = ALL_TYPES.filter((c) => ['l', 'i', 't', 'dt', 'l_req', 't_req'].includes(c.name));
  const rows = Array.from({ length: 3000 }, (_, k) => ({
    l: k % 11 === 0 ? null : k % 97 === 0 ? (k % 2 ? MAX_SAFE : -MAX_SAFE) : 1_000_000 + k * 3,
    i: k % 13 === 0 ? null : (k * 2_654_435_761) | 0,
    t: k % 17 === 0 ? null : 1_700_000_000_000_000 + k * 1_000_000 - (k % 5) * 7,
    dt: k % 19 === 0 ? null : 19_000 - k,
    l_req: k % 2 ? -k : k * 1e9,
    t_req: -1 - k,
  }));
  const batch = batchFromRows(columns, rows);
  const names = columns.map((c) => c.name);
  const encoded = encodeParquet(columns, batch, { deltaEncoded: names });
  assert.deepEqual(rowsFromBatch(await decodeParquet(encoded.bytes, columns)), rows);
  assert.deepEqual(encoded.stats, encodeParquet(columns, batch).stats);
  assert.throws(() => encodeParquet(ALL_TYPES, batchFromRows(ALL_TYPES, ROWS), { deltaEncoded: ['s'] }), /deltaEncoded: "s" is not an integer column/);
  await withPyarrow(t, 'read the file there', async (dir) => {
    const file = join(dir, 'delta.parquet');
    writeFileSync(file, encoded.bytes);
    const encodings = `
import sys, json, pyarrow.parquet as pq
m = pq.ParquetFile(sys.argv[1]).metadata
print(json.dumps([list(m.row_group(0).column(i).encodings) for i in range(m.num_columns)]))
`;
    for (const used of JSON.parse(python(encodings, file)) as string[][]) assert.ok(used.includes('DELTA_BINARY_PACKED'), used.join());
    const seen = JSON.parse(python(PY_READ, file)) as { values: Record<string, Cell[]> };
    for (const name of names) assert.deepEqual(seen.values[name], rows.map((r) => r[name as keyof (typeof rows)[number]]), name);
  });
});

test('numberArrays: columns of numbers without nulls decode to Float64Arrays with the same values; others as cells', async () => {
  const columns = ALL_TYPES.filter((c) => c.name !== 'b_req');
  const rows = Array.from({ length: 300 }, (_, k) => ({
    ...ROWS[k % ROWS.length]!,
    // Batches of 128 rows: the nullable number columns have a null only in the first batch.
    ...(k >= 128 ? { l: k * 1_000_003, i: -k, d: k / 7, t: 1_700_000_000_000_000 + k, dt: 19_000 + k } : {}),
  }));
  const { bytes } = encodeParquet(columns, batchFromRows(columns, rows));
  const plain: Record<string, Cell>[] = [];
  const typed: Record<string, Cell>[] = [];
  for await (const batch of decodeParquetBatches(bytes, columns, 128)) plain.push(...rowsFromBatch(batch));
  let batches = 0;
  for await (const batch of decodeParquetBatches(bytes, columns, 128, { numberArrays: true })) {
    for (const column of columns) {
      const values = batch.columns.get(column.name)!;
      const number = !['string', 'boolean'].includes(column.type);
      const withNull = rows.slice(batches * 128, batches * 128 + batch.numRows).some((r) => (r as Record<string, Cell>)[column.name] === null);
      assert.equal(values instanceof Float64Array, number && !withNull, `${column.name} in batch ${batches}`);
    }
    typed.push(...rowsFromBatch(batch));
    batches++;
  }
  assert.equal(batches, 3);
  assert.deepEqual(typed, plain);
  assert.deepEqual(plain, rowsFromBatch(batchFromRows(columns, rows)));
});
