import type { Cell, ColumnDef } from '../../../schema/types.ts';

/**
 * Per-file statistics in the shape Delta's `add.stats` needs: min/max over non-null values (absent for
 * boolean columns and for columns without any non-null value), null count for every column.
 */
export interface ParquetFileStats {
  numRecords: number;
  minValues: Record<string, Cell>;
  maxValues: Record<string, Cell>;
  nullCount: Record<string, number>;
}

/**
 * What the column encoder learned about one column while converting it (the "same pass"): the null
 * count, and min/max over non-null values, or undefined when there is none (or the type has no order
 * that Delta uses for skipping, i.e. boolean).
 */
export interface ColumnSummary {
  nullCount: number;
  min: string | number | undefined;
  max: string | number | undefined;
}

/** File statistics assembled from the column summaries, keyed by column name. */
export function fileStats(numRecords: number, columns: readonly ColumnDef[], summaries: readonly ColumnSummary[]): ParquetFileStats {
  const stats: ParquetFileStats = { numRecords, minValues: {}, maxValues: {}, nullCount: {} };
  columns.forEach((column, c) => {
    const summary = summaries[c]!;
    stats.nullCount[column.name] = summary.nullCount;
    if (summary.min !== undefined && summary.max !== undefined) {
      stats.minValues[column.name] = summary.min;
      stats.maxValues[column.name] = summary.max;
    }
  });
  return stats;
}
