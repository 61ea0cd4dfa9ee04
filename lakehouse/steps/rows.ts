/** Small helpers the steps share for working with rows. */
import type { ColumnName, RowOf, TableDef } from '../../schema/types.ts';
import type { UpstreamRange } from './incremental.ts';
import { type Predicate, rowsRemovedBetween } from '../table/files/index.ts';
import { rowsOf, type Row } from '../table/columns/index.ts';
import type { AddAction } from '../table/log/index.ts';

/** The rows of table T in columns C (all of them by default), as its declaration types them. */
export type RowsOf<T extends TableDef, C extends ColumnName<T> = ColumnName<T>> = Pick<RowOf<T>, C>[];

/** What to read of an upstream table: some of its columns (all by default), matching the predicates. */
export interface ReadOptions<C extends string> {
  columns?: readonly C[];
  predicates?: readonly Predicate[];
}

/** Smallest and largest of some numbers (Infinity and -Infinity for none; no spread: there may be many). */
export function bounds(values: Iterable<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** Keep one row per key; `prefer(a, b)` returns the row to keep of two with the same key. */
export function dedupe<T>(rows: Iterable<T>, key: (row: T) => string | number, prefer: (a: T, b: T) => T): { kept: T[]; duplicates: number } {
  const byKey = new Map<string | number, T>();
  let duplicates = 0;
  for (const row of rows) {
    const k = key(row);
    const have = byKey.get(k);
    if (have === undefined) byKey.set(k, row);
    else {
      duplicates++;
      byKey.set(k, prefer(have, row));
    }
  }
  return { kept: [...byKey.values()], duplicates };
}

/** A total order on rows by their JSON text: the deterministic tie-break between two versions of a record. */
export function canonicalLess(a: object, b: object): boolean {
  return JSON.stringify(a) < JSON.stringify(b);
}

/** True when two rows have the same value in every column of `a`. */
export function sameRow(a: Row, b: Row): boolean {
  for (const k of Object.keys(a)) if (a[k] !== b[k]) return false;
  return true;
}

/** The rows of the upstream range's new files (optionally filtered and projected). */
export async function readNewRows<T extends TableDef, C extends ColumnName<T> = ColumnName<T>>(range: UpstreamRange<T>, options: ReadOptions<C> = {}): Promise<RowsOf<T, C>> {
  const out: RowsOf<T, C> = [];
  for await (const batch of range.table.scan({ snapshot: range.snapshot, files: range.files, ...options })) {
    for (const row of rowsOf<T, C>(range.def, batch)) out.push(row);
  }
  return out;
}

/**
 * The rows that left the upstream table within the range: pre-images of updated rows and deleted rows
 * (see change-data.ts). With readNewRows, every key whose upstream state changed since the checkpoint.
 */
export async function readRemovedRows<T extends TableDef, C extends ColumnName<T> = ColumnName<T>>(range: UpstreamRange<T>, options: { columns?: readonly C[] } = {}): Promise<RowsOf<T, C>> {
  const out: RowsOf<T, C> = [];
  for await (const batch of rowsRemovedBetween(range.table.store, range.snapshot, range.since, range.until, options.columns)) {
    for (const row of rowsOf<T, C>(range.def, batch)) out.push(row);
  }
  return out;
}

/** Composite key text of a row. */
export function keyOf<R extends Row>(row: R, columns: readonly (keyof R & string)[]): string {
  let k = '';
  for (let i = 0; i < columns.length; i++) k += (i ? '\u0001' : '') + String(row[columns[i]!]);
  return k;
}

/**
 * Every matching row of an upstream table at the version the step reads up to (the range's snapshot,
 * never the shared table object's, which other activities refresh meanwhile).
 */
export async function readTableRows<T extends TableDef, C extends ColumnName<T> = ColumnName<T>>(range: UpstreamRange<T>, options: ReadOptions<C> = {}): Promise<RowsOf<T, C>> {
  const out: RowsOf<T, C> = [];
  for await (const batch of range.table.scan({ ...options, snapshot: range.snapshot })) for (const row of rowsOf<T, C>(range.def, batch)) out.push(row);
  return out;
}

/** The rows of these files of the range's snapshot that the predicates admit (a file its statistics rule out is not read). */
export async function readRowsOfFiles<T extends TableDef>(range: UpstreamRange<T>, files: readonly AddAction[], predicates: readonly Predicate[]): Promise<RowsOf<T, ColumnName<T>>> {
  const out: RowsOf<T, ColumnName<T>> = [];
  if (files.length === 0) return out;
  for await (const batch of range.table.scan({ snapshot: range.snapshot, files, predicates })) for (const row of rowsOf<T, ColumnName<T>>(range.def, batch)) out.push(row);
  return out;
}

/** Group rows by a key. */
export function groupBy<T, K extends string | number>(rows: Iterable<T>, key: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
