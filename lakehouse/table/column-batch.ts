import type { Cell, ColumnDef } from '../../schema/types.ts';

/**
 * A set of rows held column by column: the unit that Parquet files are written from and read into.
 * Each column is a plain JS array (V8 keeps all-number arrays unboxed), with `null` for null cells.
 * All columns have `numRows` entries.
 */
export interface ColumnBatch {
  readonly numRows: number;
  readonly columns: ReadonlyMap<string, readonly Cell[]>;
}

/** Column-major view of row objects, for the given columns (missing properties become null). */
export function batchFromRows(columns: readonly ColumnDef[], rows: readonly Record<string, Cell>[]): ColumnBatch {
  const out = new Map<string, Cell[]>();
  for (const column of columns) {
    const values = new Array<Cell>(rows.length);
    for (let i = 0; i < rows.length; i++) values[i] = rows[i]![column.name] ?? null;
    out.set(column.name, values);
  }
  return { numRows: rows.length, columns: out };
}

/** Row objects of a batch, one property per column. */
export function rowsFromBatch(batch: ColumnBatch): Record<string, Cell>[] {
  const names = [...batch.columns.keys()];
  const arrays = names.map((n) => batch.columns.get(n)!);
  const rows = new Array<Record<string, Cell>>(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const row: Record<string, Cell> = {};
    for (let c = 0; c < names.length; c++) row[names[c]!] = arrays[c]![i]!;
    rows[i] = row;
  }
  return rows;
}
