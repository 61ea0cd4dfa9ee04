/**
 * Cell values in the text forms the Delta log uses: partition values (strings in `add.partitionValues`
 * and in Hive-style directory names) and per-file statistics (JSON in `add.stats`).
 */
import type { Cell, ColumnDef, ColumnType } from '../../schema/types.ts';
import { formatDate, formatTimestampIso, formatTimestampPartition, parseDate, parseTimestamp } from '../time.ts';

/** The partition-value string of a cell (null stays null), as the Delta protocol serializes it. */
export function toPartitionValue(type: ColumnType, value: Cell): string | null {
  if (value === null) return null;
  switch (type) {
    case 'date':
      return formatDate(value as number);
    case 'timestamp':
      return formatTimestampPartition(value as number);
    default:
      return String(value);
  }
}

/** The cell of a partition-value string. An empty string means null, as in Spark's writer. */
export function fromPartitionValue(type: ColumnType, text: string | null | undefined): Cell {
  if (text === null || text === undefined || (text === '' && type !== 'string')) return null;
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

/** Hive-style directory name `col=value`: characters that are unsafe in a path are %-escaped. */
export function partitionDirName(column: string, value: string | null): string {
  const text = value === null ? '__HIVE_DEFAULT_PARTITION__' : value;
  return `${column}=${text.replace(/[^A-Za-z0-9._-]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0'))}`;
}

/** The URI form of a relative key, for add.path: each segment percent-encoded. */
export function keyToUriPath(key: string): string {
  return key.split('/').map((s) => encodeURIComponent(s)).join('/');
}

/** The storage key of an add.path (the inverse of keyToUriPath). */
export function uriPathToKey(path: string): string {
  return path.split('/').map((s) => decodeURIComponent(s)).join('/');
}

/** Check that a column list has what the table's columns need, naming the first difference. */
export function describeColumns(columns: readonly ColumnDef[]): string {
  return columns.map((c) => `${c.name} ${c.type}${c.nullable ? '' : ' not null'}`).join(', ');
}
