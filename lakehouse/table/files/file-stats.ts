/** Per-file statistics of add actions: written from Parquet encoding results, parsed for pruning. */
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { AddAction } from '../log/actions.ts';
import type { ParquetFileStats } from '../parquet/stats.ts';
import { fromPartitionValue, fromStatsValue, toStatsValue } from '../columns/values.ts';

/** Parsed statistics of one data file, in in-memory cell form. */
export interface FileStats {
  numRecords: number | undefined;
  min: Map<string, Cell>;
  max: Map<string, Cell>;
  nullCount: Map<string, number>;
}

/**
 * Text statistics keep this many code points, as Delta on Spark does (its default
 * `dataSkippingStringPrefixLength`): a 50 MB line in a raw column must not put 100 MB into the log.
 */
export const STATS_STRING_PREFIX = 32;

/** The highest code point: appended to a cut maximum, it keeps the maximum above every value it stood for. */
const TOP = String.fromCodePoint(0x10ffff);

/**
 * A string minimum cut to its prefix (still at most every value), and a string maximum cut to its
 * prefix followed by U+10FFFF (still at least every value), or undefined when no cut maximum is sure to
 * be (its next code point is U+10FFFF itself).
 */
export function truncateStatsString(value: string, side: 'min' | 'max'): string | undefined {
  const points = Array.from(value.slice(0, 2 * STATS_STRING_PREFIX + 2));
  if (points.length <= STATS_STRING_PREFIX) return value;
  const prefix = points.slice(0, STATS_STRING_PREFIX).join('');
  if (side === 'min') return prefix;
  return points[STATS_STRING_PREFIX] === TOP ? undefined : prefix + TOP;
}

/** The add.stats JSON for Parquet statistics. */
export function encodeStats(columns: readonly ColumnDef[], stats: ParquetFileStats): string {
  const minValues: Record<string, unknown> = {};
  const maxValues: Record<string, unknown> = {};
  const cut = (value: Cell, side: 'min' | 'max') => (typeof value === 'string' ? truncateStatsString(value, side) : value);
  for (const column of columns) {
    const min = cut(stats.minValues[column.name] ?? null, 'min');
    const max = cut(stats.maxValues[column.name] ?? null, 'max');
    if (min !== undefined && min !== null) minValues[column.name] = toStatsValue(column.type, min);
    if (max !== undefined && max !== null) maxValues[column.name] = toStatsValue(column.type, max);
  }
  return JSON.stringify({ numRecords: stats.numRecords, minValues, maxValues, nullCount: stats.nullCount });
}

const parsed = new WeakMap<AddAction, FileStats>();

/**
 * The statistics of an add action (cached per action object). Partition columns get their exact value
 * as both min and max. Timestamps written with millisecond precision by other engines are widened by
 * 999 µs on the max side, so that pruning never skips a file that holds a matching row.
 */
export function statsOf(add: AddAction, columns: readonly ColumnDef[], partitionColumns: readonly string[]): FileStats {
  const cached = parsed.get(add);
  if (cached) return cached;
  const stats: FileStats = { numRecords: undefined, min: new Map(), max: new Map(), nullCount: new Map() };
  let json: { numRecords?: number; minValues?: Record<string, unknown>; maxValues?: Record<string, unknown>; nullCount?: Record<string, unknown> } = {};
  try {
    json = add.stats ? (JSON.parse(add.stats) as typeof json) : {};
  } catch {
    // Unreadable stats only cost pruning, never correctness.
  }
  stats.numRecords = typeof json.numRecords === 'number' ? json.numRecords : undefined;
  for (const column of columns) {
    if (partitionColumns.includes(column.name)) {
      const value = fromPartitionValue(column.type, add.partitionValues[column.name]);
      stats.min.set(column.name, value);
      stats.max.set(column.name, value);
      continue;
    }
    const min = fromStatsValue(column.type, json.minValues?.[column.name]);
    let max = fromStatsValue(column.type, json.maxValues?.[column.name]);
    const rawMax = json.maxValues?.[column.name];
    if (column.type === 'timestamp' && typeof max === 'number' && typeof rawMax === 'string' && !/\.\d{6}/.test(rawMax)) max += 999;
    if (min !== undefined) stats.min.set(column.name, min);
    if (max !== undefined) stats.max.set(column.name, max);
    const nulls = json.nullCount?.[column.name];
    if (typeof nulls === 'number') stats.nullCount.set(column.name, nulls);
  }
  parsed.set(add, stats);
  return stats;
}
