/** Small helpers the steps share for working with rows. */
import type { Cell } from '../../schema/types.ts';
import type { Row } from '../table/operations/index.ts';
import type { UpstreamRange } from './incremental.ts';
import { type Predicate, rowsRemovedBetween } from '../table/files/index.ts';
import { rowsFromBatch } from '../table/columns/index.ts';

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
export async function readNewRows(range: UpstreamRange, options: { columns?: readonly string[]; predicates?: readonly Predicate[] } = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of range.table.scan({ snapshot: range.snapshot, files: range.files, ...options })) {
    for (const row of rowsFromBatch(batch)) out.push(row);
  }
  return out;
}

/**
 * The rows that left the upstream table within the range: pre-images of updated rows and deleted rows
 * (see change-data.ts). With readNewRows, every key whose upstream state changed since the checkpoint.
 */
export async function readRemovedRows(range: UpstreamRange, options: { columns?: readonly string[] } = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of rowsRemovedBetween(range.table.store, range.snapshot, range.since, range.until, options.columns)) {
    for (const row of rowsFromBatch(batch)) out.push(row);
  }
  return out;
}

/** Composite key text of a row. */
export function keyOf(row: Record<string, Cell>, columns: readonly string[]): string {
  let k = '';
  for (let i = 0; i < columns.length; i++) k += (i ? '\u0001' : '') + String(row[columns[i]!]);
  return k;
}

/**
 * Every matching row of an upstream table at the version the step reads up to (the range's snapshot,
 * never the shared table object's, which other activities refresh meanwhile).
 */
export async function readTableRows(range: UpstreamRange, options: { columns?: readonly string[]; predicates?: readonly Predicate[] } = {}): Promise<Row[]> {
  const out: Row[] = [];
  for await (const batch of range.table.scan({ ...options, snapshot: range.snapshot })) for (const row of rowsFromBatch(batch)) out.push(row);
  return out;
}

/** Group rows by a key. */
export function groupBy<T>(rows: Iterable<T>, key: (row: T) => string | number): Map<string | number, T[]> {
  const groups = new Map<string | number, T[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
