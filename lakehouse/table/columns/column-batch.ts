import type { Cell, ColumnDef } from '../../../schema/types.ts';

/**
 * A set of rows held column by column: the unit that Parquet files are written from and read into.
 * Each column is a plain JS array (V8 keeps all-number arrays unboxed), with `null` for null cells.
 * All columns have `numRows` entries.
 */
export interface ColumnBatch {
  readonly numRows: number;
  readonly columns: ReadonlyMap<string, readonly Cell[]>;
}

/**
 * A Float64Array as a column of numbers, without a copy: every reader of a batch indexes its columns
 * and reads their length (slice gives a Float64Array, which reads the same), so a column of numbers
 * filled without a JS array costs no array of boxed-or-not values for the garbage collector to move.
 */
export const numberColumn = (values: Float64Array): readonly Cell[] => values as unknown as readonly Cell[];

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

/** The rows at the given indices, in that order. */
export function takeRows(batch: ColumnBatch, indices: ArrayLike<number>): ColumnBatch {
  const out = new Map<string, readonly Cell[]>();
  for (const [name, values] of batch.columns) {
    if (values instanceof Float64Array) {
      // A column of numbers stays one (see numberColumn), copied without a value per element.
      out.set(name, numberColumn(takeNumbers(values, indices)));
      continue;
    }
    const taken = new Array<Cell>(indices.length);
    for (let i = 0; i < indices.length; i++) taken[i] = values[indices[i]!]!;
    out.set(name, taken);
  }
  return { numRows: indices.length, columns: out };
}

function takeNumbers(values: Float64Array, indices: ArrayLike<number>): Float64Array {
  const taken = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) taken[i] = values[indices[i]!]!;
  return taken;
}

/** Rows [start, end) of a batch. */
export function sliceRows(batch: ColumnBatch, start: number, end: number): ColumnBatch {
  if (start === 0 && end >= batch.numRows) return batch;
  const out = new Map<string, Cell[]>();
  for (const [name, values] of batch.columns) out.set(name, values.slice(start, end));
  return { numRows: Math.max(0, Math.min(end, batch.numRows) - start), columns: out };
}

/** One batch holding the rows of all batches in order; every batch must have the given columns. */
export function concatBatches(names: readonly string[], batches: readonly ColumnBatch[]): ColumnBatch {
  if (batches.length === 1 && names.every((n) => batches[0]!.columns.has(n)) && batches[0]!.columns.size === names.length) return batches[0]!;
  const total = batches.reduce((n, b) => n + b.numRows, 0);
  const out = new Map<string, readonly Cell[]>();
  for (const name of names) {
    const sources = batches.map((batch) => batch.columns.get(name));
    if (batches.length > 0 && sources.every((source) => source instanceof Float64Array)) {
      // Columns of numbers (see numberColumn) are copied a buffer at a time.
      const values = new Float64Array(total);
      let at = 0;
      sources.forEach((source, b) => {
        values.set((source as unknown as Float64Array).subarray(0, batches[b]!.numRows), at);
        at += batches[b]!.numRows;
      });
      out.set(name, numberColumn(values));
      continue;
    }
    const values = new Array<Cell>(total);
    let at = 0;
    for (const batch of batches) {
      const source = batch.columns.get(name);
      if (!source) throw new Error(`batch has no column ${name}`);
      for (let i = 0; i < batch.numRows; i++) values[at++] = source[i]!;
    }
    out.set(name, values);
  }
  return { numRows: total, columns: out };
}
