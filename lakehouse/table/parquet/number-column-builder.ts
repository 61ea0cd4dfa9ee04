/**
 * Integer columns built value by value straight into the Arrow buffers they end up in, for writers that
 * read numbers one row at a time (Kafka dumps): no JS array of numbers to hold the rows and convert at
 * the end. finish() gives what encodeColumn gives for the same values: the Arrow array with its min/max.
 * Only non-nullable columns; a value the column cannot hold exactly is refused with encodeColumn's error.
 */
import { makeData } from 'apache-arrow';
import type { ColumnDef } from '../../../schema/types.ts';
import type { EncodedColumn } from './encode-column.ts';
import { writeInt64 } from './int64.ts';
import { arrowTypeOf } from './schema.ts';
import { doubled } from '../columns/typed-arrays.ts';

const INITIAL_ROWS = 1024;

/** Shared by both builders: the column, its row count and the bounds of its values. */
abstract class IntegerColumnBuilder {
  rows = 0;
  protected min = Infinity;
  protected max = -Infinity;

  constructor(readonly column: ColumnDef) {
    if (column.nullable) throw new TypeError(`column "${column.name}": a number column builder holds no nulls; the column is nullable`);
  }

  protected bounds(v: number): void {
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  protected encoded(data: Int32Array | BigInt64Array): EncodedColumn {
    const n = this.rows;
    const some = n > 0;
    // makeData's typed overloads cannot follow a type chosen at run time, hence the untyped props object.
    const props = { type: arrowTypeOf(this.column.type), length: n, nullCount: 0, data };
    return { data: makeData(props), summary: { nullCount: 0, min: some ? this.min : undefined, max: some ? this.max : undefined } };
  }

  protected refuse(v: number, what: string): RangeError {
    return new RangeError(`column "${this.column.name}" (${this.column.type}) row ${this.rows}: ${v} ${what}`);
  }
}

/** An `integer` or `date` column (Arrow Int32 / Date32). */
export class Int32ColumnBuilder extends IntegerColumnBuilder {
  private values: Int32Array<ArrayBuffer> = new Int32Array(INITIAL_ROWS);

  append(v: number): void {
    if ((v | 0) !== v) throw this.refuse(v, 'is not a 32-bit signed integer');
    const row = this.rows;
    if (row === this.values.length) this.values = doubled(this.values, row);
    this.values[row] = v;
    this.bounds(v);
    this.rows = row + 1;
  }

  finish(): EncodedColumn {
    return this.encoded(this.values.subarray(0, this.rows));
  }
}

/** A `long` or `timestamp` column (Arrow Int64 / Timestamp), kept as Int32 word pairs (see parquet-int64.ts). */
export class Int64ColumnBuilder extends IntegerColumnBuilder {
  private words: Int32Array<ArrayBuffer> = new Int32Array(2 * INITIAL_ROWS);

  append(v: number): void {
    // Rounding would silently change an offset or a timestamp.
    if (!Number.isSafeInteger(v)) throw this.refuse(v, 'is not a safe integer (|v| ≤ 2^53−1), refusing to round it');
    const row = this.rows;
    if (2 * row === this.words.length) this.words = doubled(this.words, 2 * row);
    writeInt64(this.words, row, v);
    this.bounds(v);
    this.rows = row + 1;
  }

  finish(): EncodedColumn {
    return this.encoded(new BigInt64Array(this.words.buffer, 0, this.rows));
  }
}

/**
 * A `long` or `timestamp` column of `rows` copies of one value (a load column such as load_time), as a
 * builder given that value `rows` times would finish, without a per-row append.
 */
export function repeatedInt64Column(column: ColumnDef, value: number, rows: number): EncodedColumn {
  const builder = new Int64ColumnBuilder(column);
  if (rows === 0) return builder.finish();
  builder.append(value);
  const words = new Int32Array(2 * rows);
  writeInt64(words, 0, value);
  for (let i = 2; i < words.length; i += 2) {
    words[i] = words[0]!;
    words[i + 1] = words[1]!;
  }
  const { summary } = builder.finish();
  // makeData's typed overloads cannot follow a type chosen at run time, hence the untyped props object.
  const props = { type: arrowTypeOf(column.type), length: rows, nullCount: 0, data: new BigInt64Array(words.buffer) };
  return { data: makeData(props), summary };
}
