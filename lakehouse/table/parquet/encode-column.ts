import { makeData } from 'apache-arrow';
import type { Data, Utf8 } from 'apache-arrow';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import { arrowTypeOf } from './schema.ts';
import type { ColumnSummary } from './stats.ts';
import { writeInt64 } from './int64.ts';
import { stringLess } from '../columns/values.ts';

/** One column converted to Arrow, with what was learned about it on the way. */
export interface EncodedColumn {
  data: Data;
  summary: ColumnSummary;
}

/**
 * Converts one column of a batch to an Arrow array, validating every cell and computing its
 * statistics in the same loop. Throws TypeError for a cell of the wrong JS type and RangeError for a
 * value the column cannot hold exactly (unsafe long, non-32-bit integer, null in a non-nullable
 * column); both name the column and the row.
 */
export function encodeColumn(column: ColumnDef, values: readonly Cell[], numRows: number): EncodedColumn {
  if (values.length !== numRows) {
    throw new RangeError(`column "${column.name}": ${values.length} values for a batch of ${numRows} rows`);
  }
  switch (column.type) {
    case 'long':
    case 'timestamp':
      return encodeInt64(column, values);
    case 'integer':
    case 'date':
      return encodeInt32(column, values);
    case 'double':
      return encodeDouble(column, values);
    case 'boolean':
      return encodeBoolean(column, values);
    case 'string':
      return encodeString(column, values);
  }
}

function at(column: ColumnDef, row: number): string {
  return `column "${column.name}" (${column.type}) row ${row}`;
}

function nullError(column: ColumnDef, row: number): RangeError {
  return new RangeError(`${at(column, row)}: null in a non-nullable column`);
}

function typeError(column: ColumnDef, row: number, expected: string, value: unknown): TypeError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new TypeError(`${at(column, row)}: expected ${expected}, got ${typeof value} ${shown}`);
}

/**
 * Validity bitmap for a nullable column (bit set = value present), or undefined when the column is
 * not nullable; `finish` drops it when no null turned up, so Arrow sees an array without nulls.
 */
function validityFor(column: ColumnDef, numRows: number): Uint8Array | undefined {
  return column.nullable ? new Uint8Array((numRows + 7) >> 3) : undefined;
}

function finish(
  column: ColumnDef,
  length: number,
  data: BigInt64Array | Int32Array | Float64Array | Uint8Array,
  validity: Uint8Array | undefined,
  summary: ColumnSummary,
): EncodedColumn {
  const nullBitmap = summary.nullCount > 0 ? validity : undefined;
  // makeData dispatches on the type instance at run time; its typed overloads cannot follow a type
  // chosen at run time, hence the untyped props object.
  const props = { type: arrowTypeOf(column.type), length, nullCount: summary.nullCount, nullBitmap, data };
  return { data: makeData(props), summary };
}

function encodeInt64(column: ColumnDef, values: readonly Cell[]): EncodedColumn {
  const n = values.length;
  const words = new Int32Array(2 * n);
  const validity = validityFor(column, n);
  let nullCount = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      if (!validity) throw nullError(column, i);
      nullCount++;
      continue;
    }
    if (typeof v !== 'number') throw typeError(column, i, 'a number', v);
    if (!Number.isSafeInteger(v)) {
      // Rounding would silently change a key or a timestamp; the caller must fix the value instead.
      throw new RangeError(`${at(column, i)}: ${v} is not a safe integer (|v| ≤ 2^53−1), refusing to round it`);
    }
    writeInt64(words, i, v);
    if (v < min) min = v;
    if (v > max) max = v;
    if (validity) validity[i >> 3]! |= 1 << (i & 7);
  }
  const some = nullCount < n;
  const summary = { nullCount, min: some ? min : undefined, max: some ? max : undefined };
  return finish(column, n, new BigInt64Array(words.buffer), validity, summary);
}

function encodeInt32(column: ColumnDef, values: readonly Cell[]): EncodedColumn {
  const n = values.length;
  const data = new Int32Array(n);
  const validity = validityFor(column, n);
  let nullCount = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      if (!validity) throw nullError(column, i);
      nullCount++;
      continue;
    }
    if (typeof v !== 'number') throw typeError(column, i, 'a number', v);
    if ((v | 0) !== v) throw new RangeError(`${at(column, i)}: ${v} is not a 32-bit signed integer`);
    data[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
    if (validity) validity[i >> 3]! |= 1 << (i & 7);
  }
  const some = nullCount < n;
  return finish(column, n, data, validity, { nullCount, min: some ? min : undefined, max: some ? max : undefined });
}

function encodeDouble(column: ColumnDef, values: readonly Cell[]): EncodedColumn {
  const n = values.length;
  const data = new Float64Array(n);
  const validity = validityFor(column, n);
  let nullCount = 0;
  // NaN is a legal double but has no place in an order: it is stored, and left out of min/max.
  let min = NaN;
  let max = NaN;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      if (!validity) throw nullError(column, i);
      nullCount++;
      continue;
    }
    if (typeof v !== 'number') throw typeError(column, i, 'a number', v);
    data[i] = v;
    if (v < min || Number.isNaN(min)) min = v;
    if (v > max || Number.isNaN(max)) max = v;
    if (validity) validity[i >> 3]! |= 1 << (i & 7);
  }
  const summary = { nullCount, min: Number.isNaN(min) ? undefined : min, max: Number.isNaN(max) ? undefined : max };
  return finish(column, n, data, validity, summary);
}

function encodeBoolean(column: ColumnDef, values: readonly Cell[]): EncodedColumn {
  const n = values.length;
  const bits = new Uint8Array((n + 7) >> 3);
  const validity = validityFor(column, n);
  let nullCount = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      if (!validity) throw nullError(column, i);
      nullCount++;
      continue;
    }
    if (typeof v !== 'boolean') throw typeError(column, i, 'a boolean', v);
    if (v) bits[i >> 3]! |= 1 << (i & 7);
    if (validity) validity[i >> 3]! |= 1 << (i & 7);
  }
  // Delta skips on boolean min/max nowhere, so none is reported.
  return finish(column, n, bits, validity, { nullCount, min: undefined, max: undefined });
}

/** Characters up to which a column's text is joined into one string (V8 strings end at 2^29 − 24). */
const MAX_JOINED_CHARS = 1 << 28;
const asciiEncoder = new TextEncoder();

/**
 * encodeString for a column whose text is all ASCII (JSON payloads, ids, names): the values are joined
 * into one string and encoded by one call, since a call per value costs more than the bytes; byte
 * offsets are then character offsets, and JS string order is code point order. Undefined when the
 * column holds anything else (non-ASCII text, a wrong cell), which encodeString handles and words.
 */
function encodeAsciiStrings(column: ColumnDef, values: readonly Cell[]): EncodedColumn | undefined {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const validity = validityFor(column, n);
  let nullCount = 0;
  let length = 0;
  let min: string | undefined;
  let max: string | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v === 'string') {
      length += v.length;
      if (validity) validity[i >> 3]! |= 1 << (i & 7);
    } else if (v === null && validity) {
      nullCount++;
    } else {
      return undefined;
    }
    offsets[i + 1] = length;
  }
  if (length > MAX_JOINED_CHARS) return undefined;
  // join() turns null into '', which is what a null slot contributes.
  const text = (values as readonly (string | null)[]).join('');
  const bytes = new Uint8Array(length);
  const { read, written } = asciiEncoder.encodeInto(text, bytes);
  // Any character beyond ASCII takes more than one byte, so the text no longer fits: not ASCII.
  if (read !== length || written !== length) return undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (typeof v !== 'string') continue;
    if (min === undefined || v < min) min = v;
    if (max === undefined || v > max) max = v;
  }
  const type = arrowTypeOf('string') as Utf8;
  const nullBitmap = nullCount > 0 ? validity : undefined;
  const data = makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: offsets, data: bytes });
  return { data, summary: { nullCount, min, max } };
}

function encodeString(column: ColumnDef, values: readonly Cell[]): EncodedColumn {
  const ascii = encodeAsciiStrings(column, values);
  if (ascii) return ascii;
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  const validity = validityFor(column, n);
  const encoder = new TextEncoder();
  let bytes = new Uint8Array(Math.max(64, n * 8));
  let length = 0;
  let nullCount = 0;
  let min: string | undefined;
  let max: string | undefined;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) {
      if (!validity) throw nullError(column, i);
      nullCount++;
      offsets[i + 1] = length;
      continue;
    }
    if (typeof v !== 'string') throw typeError(column, i, 'a string', v);
    // UTF-8 needs at most 3 bytes per UTF-16 code unit; grow geometrically so encoding stays linear.
    const needed = length + v.length * 3;
    if (needed > bytes.length) {
      const grown = new Uint8Array(Math.max(needed, bytes.length * 2));
      grown.set(bytes.subarray(0, length));
      bytes = grown;
    }
    length += encoder.encodeInto(v, bytes.subarray(length)).written;
    if (length > 0x7fffffff) throw new RangeError(`column "${column.name}": more than 2 GiB of string data in one file`);
    offsets[i + 1] = length;
    // Code point (UTF-8 byte) order, as every Delta reader compares string statistics.
    if (min === undefined || stringLess(v, min)) min = v;
    if (max === undefined || stringLess(max, v)) max = v;
    if (validity) validity[i >> 3]! |= 1 << (i & 7);
  }
  const type = arrowTypeOf('string') as Utf8;
  const nullBitmap = nullCount > 0 ? validity : undefined;
  const data = makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: offsets, data: bytes.subarray(0, length) });
  return { data, summary: { nullCount, min, max } };
}
