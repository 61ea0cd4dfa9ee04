/**
 * Int32ColumnBuilder, Int64ColumnBuilder and repeatedInt64Column against encodeColumn, which they stand
 * in for: the same Arrow values and statistics for the same numbers, and the same refusals.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnDef } from '../../schema/types.ts';
import { Int32ColumnBuilder, Int64ColumnBuilder, repeatedInt64Column, encodeColumn, type EncodedColumn } from '../../lakehouse/table/parquet/index.ts';
import { Prng } from '../../simulator/prng.ts';

const integer: ColumnDef = { name: 'partition', type: 'integer', nullable: false };
const date: ColumnDef = { name: 'date', type: 'date', nullable: false };
const long: ColumnDef = { name: 'offset', type: 'long', nullable: false };
const timestamp: ColumnDef = { name: 'timestamp', type: 'timestamp', nullable: false };

/** An encoded column as plain values: its raw buffer (Int64 as word pairs), length, nulls and statistics. */
function contents(encoded: EncodedColumn) {
  const values = encoded.data.values as Int32Array | BigInt64Array;
  const words = values instanceof BigInt64Array ? new Int32Array(values.buffer, values.byteOffset, values.length * 2) : values;
  return { words: [...words], length: encoded.data.length, nullCount: encoded.data.nullCount, summary: encoded.summary };
}

describe('number column builders', () => {
  it('give the values and statistics of encodeColumn, through growth', () => {
    const prng = Prng.fromSeed(5);
    for (let round = 0; round < 40; round++) {
      const count = prng.int(0, 3000); // past the first buffer of 1,024 rows
      const int32s = Array.from({ length: count }, () => prng.int(-(2 ** 31), 2 ** 31 - 1));
      const int64s = Array.from({ length: count }, () => (prng.int(0, 3) === 0 ? prng.pick([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 0, -1]) : prng.int(-(2 ** 40), 2 ** 40) * 4099));
      for (const column of [integer, date]) {
        const builder = new Int32ColumnBuilder(column);
        for (const v of int32s) builder.append(v);
        assert.equal(builder.rows, count);
        assert.deepEqual(contents(builder.finish()), contents(encodeColumn(column, int32s, count)), `${column.type}, ${count} rows`);
      }
      for (const column of [long, timestamp]) {
        const builder = new Int64ColumnBuilder(column);
        for (const v of int64s) builder.append(v);
        assert.deepEqual(contents(builder.finish()), contents(encodeColumn(column, int64s, count)), `${column.type}, ${count} rows`);
      }
    }
  });

  it('refuse what the column cannot hold exactly, naming column and row, as encodeColumn does', () => {
    const int32 = new Int32ColumnBuilder(integer);
    int32.append(7);
    assert.throws(() => int32.append(2 ** 31), /column "partition" \(integer\) row 1: 2147483648 is not a 32-bit signed integer/);
    assert.throws(() => int32.append(1.5), /row 1: 1\.5 is not a 32-bit signed integer/);
    assert.throws(() => encodeColumn(integer, [7, 2 ** 31], 2), /column "partition" \(integer\) row 1: 2147483648 is not a 32-bit signed integer/);
    const int64 = new Int64ColumnBuilder(long);
    assert.throws(() => int64.append(2 ** 53), /column "offset" \(long\) row 0: 9007199254740992 is not a safe integer/);
    assert.throws(() => int64.append(0.5), /is not a safe integer/);
    assert.throws(() => encodeColumn(long, [2 ** 53], 1), /column "offset" \(long\) row 0: 9007199254740992 is not a safe integer/);
    // Nothing refused was kept.
    assert.deepEqual(contents(int32.finish()), contents(encodeColumn(integer, [7], 1)));
    assert.equal(int64.rows, 0);
    assert.throws(() => new Int32ColumnBuilder({ ...integer, nullable: true }), /nullable/);
  });

  it('repeatedInt64Column is the builder given one value again and again', () => {
    for (const [value, rows] of [[1_700_000_000_123_456, 2500], [-(2 ** 40) - 3, 3], [Number.MAX_SAFE_INTEGER, 1], [5, 0]] as const) {
      const values = new Array<number>(rows).fill(value);
      assert.deepEqual(contents(repeatedInt64Column(timestamp, value, rows)), contents(encodeColumn(timestamp, values, rows)), `${value} × ${rows}`);
    }
    assert.throws(() => repeatedInt64Column(timestamp, 2 ** 60, 4), /not a safe integer/);
  });
});
