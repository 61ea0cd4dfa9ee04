/**
 * A string column built value by value as UTF-8 bytes, for writers that read their text as bytes (Kafka
 * dumps): a value goes from the input buffer into the column's buffer without ever being a JS string.
 * finish() gives what encodeColumn gives for the same strings: the Arrow Utf8 array, the null count and
 * min/max in code point order (UTF-8 byte order is code point order), and whether a dictionary pays.
 */
import { makeData } from 'apache-arrow';
import type { Utf8 } from 'apache-arrow';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { EncodedColumn } from './encode-column.ts';
import { arrowTypeOf } from './schema.ts';
import { dictionaryPays } from './write.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class Utf8ColumnBuilder {
  private data: Uint8Array;
  /** A view of `data`, to compare values four bytes at a time. */
  private view: DataView;
  private bytes = 0;
  private offsets: Int32Array;
  private validity: Uint8Array;
  private nullCount = 0;
  /** Rows holding the smallest and largest value so far (-1: none yet). */
  private minRow = -1;
  private maxRow = -1;
  /** Where the min and the max are in `data`, and how many first bytes they have in common (see updateMinMax). */
  private minStart = 0;
  private minLength = 0;
  private maxStart = 0;
  private maxLength = 0;
  private minMaxPrefix = 0;
  rows = 0;

  constructor(
    readonly column: ColumnDef,
    capacityRows = 1024,
    capacityBytes = 64 * capacityRows,
  ) {
    this.data = new Uint8Array(capacityBytes);
    this.view = new DataView(this.data.buffer);
    this.offsets = new Int32Array(capacityRows + 1);
    this.validity = new Uint8Array((capacityRows + 7) >> 3);
  }

  /** Appends the UTF-8 text src[start, end) as the next value. */
  appendBytes(src: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.reserve(length);
    const data = this.data;
    let at = this.bytes;
    // A loop, not data.set(src.subarray(…)): values are short, and a view per value costs more than the copy.
    for (let i = start; i < end; i++) data[at++] = src[i]!;
    this.bytes = at;
    this.endValue();
  }

  /**
   * Room for one more value of up to `maxBytes` bytes, for a writer that produces the value in place
   * (unescaping it, say) instead of copying it from elsewhere: returns the buffer to write the value
   * into from valueStart on. Nothing counts until closeValueAt: a value given up on is just not closed,
   * and the next one overwrites it. The buffer is only valid until the next call on the builder.
   */
  reserveValue(maxBytes: number): Uint8Array {
    this.reserve(maxBytes);
    return this.data;
  }

  /** Where the next value's bytes go in the buffer reserveValue returns (the end of the last value). */
  get valueStart(): number {
    return this.bytes;
  }

  /** Ends the value written in place at [valueStart, end) of the buffer reserveValue returned. */
  closeValueAt(end: number): void {
    this.bytes = end;
    this.endValue();
  }

  /** Appends, as this builder's next value, the value `other` holds written but not closed, up to `end`. */
  appendOpenValueOf(other: Utf8ColumnBuilder, end: number): void {
    this.appendBytes(other.data, other.bytes, end);
  }

  appendNull(): void {
    if (!this.column.nullable) throw new RangeError(`column "${this.column.name}" (string) row ${this.rows}: null in a non-nullable column`);
    this.reserve(0);
    this.nullCount++;
    this.offsets[++this.rows] = this.bytes;
  }

  /** Appends a cell of a row parsed as JS values; TypeError naming column and row for a non-string. */
  appendCell(value: Cell): void {
    if (value === null) return this.appendNull();
    if (typeof value !== 'string') {
      throw new TypeError(`column "${this.column.name}" (string) row ${this.rows}: expected a string, got ${typeof value} ${String(value)}`);
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    this.reserve(value.length * 3);
    this.bytes += encoder.encodeInto(value, this.data.subarray(this.bytes)).written;
    this.endValue();
  }

  /** The Arrow array and its statistics; the builder is not to be used afterwards. */
  finish(): EncodedColumn & { dictionary: boolean } {
    const n = this.rows;
    const type = arrowTypeOf('string') as Utf8;
    const nullBitmap = this.nullCount > 0 ? this.validity.subarray(0, (n + 7) >> 3) : undefined;
    const valueOffsets = this.offsets.subarray(0, n + 1);
    const data = makeData({ type, length: n, nullCount: this.nullCount, nullBitmap, valueOffsets, data: this.data.subarray(0, this.bytes) });
    const summary = { nullCount: this.nullCount, min: this.minRow < 0 ? undefined : this.text(this.minRow), max: this.maxRow < 0 ? undefined : this.text(this.maxRow) };
    // The dictionary test samples values; nulls count as one value, as in encodeArrowPart.
    const dictionary = dictionaryPays((row) => (this.isNull(row) ? null : this.text(row)), n);
    return { data, summary, dictionary };
  }

  private isNull(row: number): boolean {
    return this.nullCount > 0 && (this.validity[row >> 3]! & (1 << (row & 7))) === 0;
  }

  private text(row: number): string {
    return decoder.decode(this.data.subarray(this.offsets[row], this.offsets[row + 1]));
  }

  /** Ends the value whose bytes were just written: offset, validity and min/max. */
  private endValue(): void {
    const row = this.rows;
    if (this.bytes > 0x7fffffff) throw new RangeError(`column "${this.column.name}": more than 2 GiB of string data in one file`);
    this.offsets[row + 1] = this.bytes;
    this.validity[row >> 3]! |= 1 << (row & 7);
    this.updateMinMax(row);
    this.rows = row + 1;
  }

  /**
   * Makes `row` the min or the max if it is smaller or larger, with one compare where one tells. Min and
   * max agree on their first minMaxPrefix bytes: a value that parts from the min within those parts
   * from the max at the same byte, and the same way, so it is below both or above both. Only a value
   * that shares those bytes too is compared with the max, from there on.
   */
  private updateMinMax(row: number): void {
    const start = this.offsets[row]!;
    const length = this.bytes - start;
    if (this.minRow < 0) {
      this.minRow = this.maxRow = row;
      this.minStart = this.maxStart = start;
      this.minLength = this.maxLength = this.minMaxPrefix = length;
      return;
    }
    const shared = this.minMaxPrefix;
    const k = this.commonPrefix(start, length, this.minStart, this.minLength, 0);
    const toMin = this.orderAfter(start, length, this.minStart, this.minLength, k);
    if (toMin < 0) {
      this.minRow = row;
      this.minStart = start;
      this.minLength = length;
      // The new min parts from the max where it parts from the old min, or where that one did.
      this.minMaxPrefix = Math.min(k, shared);
    } else if (toMin > 0) {
      if (k < shared || this.orderAfter(start, length, this.maxStart, this.maxLength, this.commonPrefix(start, length, this.maxStart, this.maxLength, shared)) > 0) {
        this.maxRow = row;
        this.maxStart = start;
        this.maxLength = length;
        this.minMaxPrefix = k;
      }
    }
  }

  /** The length of the common prefix of the values at data[i, i + iLength) and data[j, j + jLength), known to be at least `from`. */
  private commonPrefix(i: number, iLength: number, j: number, jLength: number, from: number): number {
    const common = iLength < jLength ? iLength : jLength;
    const view = this.view;
    let k = from;
    // Four bytes at a time; in big-endian words the first differing byte holds the highest differing bit.
    for (; k + 4 <= common; k += 4) {
      const x = view.getInt32(i + k);
      const y = view.getInt32(j + k);
      if (x !== y) return k + (Math.clz32(x ^ y) >> 3);
    }
    const data = this.data;
    while (k < common && data[i + k] === data[j + k]) k++;
    return k;
  }

  /** Byte order (negative, zero, positive) of the values at i and j (see commonPrefix), whose common prefix is k bytes long. */
  private orderAfter(i: number, iLength: number, j: number, jLength: number, k: number): number {
    if (k === iLength || k === jLength) return iLength - jLength;
    return this.data[i + k]! - this.data[j + k]!;
  }

  /** Room for one more row and `more` bytes. */
  private reserve(more: number): void {
    if (this.bytes + more > this.data.length) {
      const grown = new Uint8Array(Math.max(this.bytes + more, this.data.length * 2));
      grown.set(this.data.subarray(0, this.bytes));
      this.data = grown;
      this.view = new DataView(grown.buffer);
    }
    if (this.rows + 2 > this.offsets.length) {
      const offsets = new Int32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const validity = new Uint8Array((offsets.length + 7) >> 3);
      validity.set(this.validity);
      this.validity = validity;
    }
  }
}

/**
 * A string column of `rows` copies of one value (a load column such as source_file), as a builder given
 * that value `rows` times would finish, without a per-row append.
 */
export function repeatedUtf8Column(column: ColumnDef, value: string, rows: number): EncodedColumn & { dictionary: boolean } {
  const bytes = encoder.encode(value);
  const data = new Uint8Array(bytes.length * rows);
  if (rows > 0) {
    // Doubling copies: log2(rows) calls instead of one per row.
    data.set(bytes);
    for (let filled = bytes.length; filled < data.length; filled *= 2) data.copyWithin(filled, 0, Math.min(filled, data.length - filled));
  }
  const valueOffsets = new Int32Array(rows + 1);
  for (let i = 1; i <= rows; i++) valueOffsets[i] = i * bytes.length;
  const type = arrowTypeOf('string') as Utf8;
  const summary = { nullCount: 0, min: rows > 0 ? value : undefined, max: rows > 0 ? value : undefined };
  return { data: makeData({ type, length: rows, nullCount: 0, valueOffsets, data }), summary, dictionary: true };
}
