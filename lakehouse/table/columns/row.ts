import type { Cell, ColumnName, RowOf, TableDef } from '../../../schema/types.ts';
import { rowsFromBatch, type ColumnBatch } from './column-batch.ts';

/**
 * A row of any table as an object, column name → cell: what merges hand to whenMatched and what code
 * that knows no table declaration works with. Code that knows the table uses its RowOf type instead
 * (schema/types.ts), which is assignable to this.
 */
export type Row = Record<string, Cell>;

/*
 * A batch read from a table holds the table's cells as its declaration types them: every write conforms
 * its rows to the table's columns (conformBatch) and encodes them with the Parquet schema derived from
 * the same declaration, and a read returns the columns it was asked for. rowsOf and columnOf are where
 * code that knows which table it read takes the batch's cells for those types: the one place this is
 * asserted rather than checked.
 */

/** The rows of a batch read from `table` (in columns C of it: all by default), typed by its declaration. */
export function rowsOf<T extends TableDef, C extends ColumnName<T> = ColumnName<T>>(_table: T, batch: ColumnBatch): Pick<RowOf<T>, C>[] {
  return rowsFromBatch(batch) as Pick<RowOf<T>, C>[];
}

/** Column `name` of a batch read from `table`, typed by its declaration. */
export function columnOf<T extends TableDef, C extends ColumnName<T>>(_table: T, batch: ColumnBatch, name: C): readonly RowOf<T>[C][] {
  const values = batch.columns.get(name);
  if (!values) throw new Error(`batch has no column ${name}`);
  return values as readonly RowOf<T>[C][];
}
