/**
 * Cell values in the text forms the Delta log uses: partition values (strings in `add.partitionValues`
 * and in Hive-style directory names) and per-file statistics (JSON in `add.stats`).
 */
import type { Cell, ColumnDef, ColumnType } from '../../../schema/types.ts';
import { formatDate, formatTimestampIso, formatTimestampPartition, parseDate, parseTimestamp } from '../../time.ts';

/**
 * The partition-value string of a cell (null stays null), as the Delta protocol serializes it. The
 * protocol reads an empty string as null for every type, so an empty string is stored as null (as
 * Spark does) rather than as a value every other reader would see as null anyway.
 */
export function toPartitionValue(type: ColumnType, value: Cell): string | null {
  if (value === null || value === '') return null;
  switch (type) {
    case 'date':
      return formatDate(value as number);
    case 'timestamp':
      return formatTimestampPartition(value as number);
    default:
      return String(value);
  }
}

/** The cell of a partition-value string. An empty string means null for every type (Delta protocol). */
export function fromPartitionValue(type: ColumnType, text: string | null | undefined): Cell {
  if (text === null || text === undefined || text === '') return null;
  switch (type) {
    case 'string':
      return text;
    case 'long':
    case 'integer': {
      const n = Number(text);
      if (!Number.isSafeInteger(n)) throw new RangeError(`partition value ${JSON.stringify(text)} is not a safe ${type}`);
      return n;
    }
    case 'double':
      return Number(text);
    case 'boolean':
      return text === 'true';
    case 'date':
      return parseDate(text);
    case 'timestamp':
      return parseTimestamp(text);
  }
}

/** A statistics value for add.stats JSON: numbers as numbers, dates and timestamps as ISO text. */
export function toStatsValue(type: ColumnType, value: Cell): unknown {
  if (value === null) return null;
  if (type === 'date') return formatDate(value as number);
  if (type === 'timestamp') return formatTimestampIso(value as number);
  return value;
}

/** The cell of a statistics value written by any Delta writer; undefined when it cannot be used. */
export function fromStatsValue(type: ColumnType, value: unknown): Cell | undefined {
  if (value === null || value === undefined) return undefined;
  try {
    if (type === 'date' && typeof value === 'string') return parseDate(value.slice(0, 10));
    if (type === 'timestamp' && typeof value === 'string') return parseTimestamp(value);
    if (type === 'string' && typeof value === 'string') return value;
    if ((type === 'long' || type === 'integer' || type === 'double') && typeof value === 'number') return value;
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Hive-style directory name `col=value`: characters that are unsafe in a path are %-escaped byte by
 * byte in UTF-8 (as delta-rs does), so that distinct values never share a folder (escaping UTF-16
 * code units gave '✓' and "'13" the same `%2713`).
 */
export function partitionDirName(column: string, value: string | null): string {
  const text = value === null ? '__HIVE_DEFAULT_PARTITION__' : value;
  const escape = (c: string) => Array.from(utf8.encode(c), (b) => '%' + b.toString(16).toUpperCase().padStart(2, '0')).join('');
  return `${column}=${text.replace(/[^A-Za-z0-9._-]/gu, escape)}`;
}

const utf8 = new TextEncoder();

/** The URI form of a relative key, for add.path: each segment percent-encoded. */
export function keyToUriPath(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/** The storage key of an add.path (the inverse of keyToUriPath). */
export function uriPathToKey(path: string): string {
  return path.split('/').map((s) => decodeURIComponent(s)).join('/');
}

/**
 * a < b in Unicode code point order, which is UTF-8 byte order: the order of Parquet and Delta string
 * statistics (Spark, delta-rs). JS's `<` compares UTF-16 code units instead, which sorts U+E000–U+FFFF
 * (fullwidth forms, '！') after every astral character ('😀'); statistics in that order make other
 * engines skip files that hold matching rows.
 */
export function stringLess(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate stands for a code point above U+FFFF: greater than any BMP character it meets here.
    const xSurrogate = (x & 0xf800) === 0xd800;
    const ySurrogate = (y & 0xf800) === 0xd800;
    return xSurrogate === ySurrogate ? x < y : ySurrogate;
  }
  return a.length < b.length;
}

/** Check that a column list has what the table's columns need, naming the first difference. */
export function describeColumns(columns: readonly ColumnDef[]): string {
  return columns.map((c) => `${c.name} ${c.type}${c.nullable ? '' : ' not null'}`).join(', ');
}
