/**
 * Filters on table scans: a conjunction of column comparisons. Used twice: against file statistics and
 * partition values to skip whole files (pruning), then against rows.
 */
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { AddAction } from '../log/actions.ts';
import type { ColumnBatch } from '../columns/column-batch.ts';
import { statsOf } from './file-stats.ts';
import { stringLess } from '../columns/values.ts';

export type Comparison = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Predicate =
  | { column: string; op: Comparison; value: string | number | boolean }
  | { column: string; op: 'in'; values: readonly (string | number | boolean)[] }
  | { column: string; op: 'is null' | 'is not null' };

export type Value = string | number | boolean;

/** a < b; strings in code point order, the order of string statistics (see stringLess). */
export function lessThan(a: Value, b: Value): boolean {
  return typeof a === 'string' && typeof b === 'string' ? stringLess(a, b) : a < b;
}

function lessOrEqual(a: Value, b: Value): boolean {
  return typeof a === 'string' && typeof b === 'string' ? !stringLess(b, a) : a <= b;
}

function compare(a: Value, op: Comparison, b: Value): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return lessThan(a, b);
    case '<=':
      return lessOrEqual(a, b);
    case '>':
      return lessThan(b, a);
    case '>=':
      return lessOrEqual(b, a);
  }
}

/** Whether one cell satisfies one predicate (SQL semantics: comparisons with null are false). */
export function cellMatches(value: Cell, p: Predicate): boolean {
  if ('values' in p) return value !== null && p.values.includes(value);
  if ('value' in p) return value !== null && compare(value, p.op, p.value);
  return p.op === 'is null' ? value === null : value !== null;
}

/**
 * False only when the file certainly holds no row matching all predicates, judged from its partition
 * values and min/max/null statistics. Missing statistics mean "may match".
 */
export function fileMayMatch(add: AddAction, columns: readonly ColumnDef[], partitionColumns: readonly string[], predicates: readonly Predicate[]): boolean {
  if (predicates.length === 0) return true;
  const stats = statsOf(add, columns, partitionColumns);
  for (const p of predicates) {
    const hasMin = stats.min.has(p.column);
    const min = stats.min.get(p.column);
    const max = stats.max.get(p.column);
    const nulls = stats.nullCount.get(p.column);
    if (partitionColumns.includes(p.column)) {
      if (!cellMatches(min ?? null, p)) return false;
      continue;
    }
    if (p.op === 'is null') {
      if (nulls === 0) return false;
      continue;
    }
    if (p.op === 'is not null') {
      if (nulls !== undefined && stats.numRecords !== undefined && nulls === stats.numRecords) return false;
      continue;
    }
    if (!hasMin || min === null || min === undefined || max === null || max === undefined) continue;
    const inRange = (v: Value) => !lessThan(v, min) && !lessThan(max, v);
    switch (p.op) {
      case '=':
        if (!inRange(p.value)) return false;
        break;
      case 'in':
        if (!p.values.some(inRange)) return false;
        break;
      case '<':
        if (!lessThan(min, p.value)) return false;
        break;
      case '<=':
        if (!lessOrEqual(min, p.value)) return false;
        break;
      case '>':
        if (!lessThan(p.value, max)) return false;
        break;
      case '>=':
        if (!lessOrEqual(p.value, max)) return false;
        break;
      case '!=':
        if (min === max && min === p.value) return false;
        break;
    }
  }
  return true;
}

/** Indices of the rows of a batch that satisfy every predicate. */
export function matchingRows(batch: ColumnBatch, predicates: readonly Predicate[]): number[] {
  const out: number[] = [];
  const columns = predicates.map((p) => {
    const values = batch.columns.get(p.column);
    if (!values) throw new Error(`predicate on column ${p.column}, which the scan did not read`);
    return values;
  });
  // An `in` list is looked up in a Set (same SameValueZero equality as includes): a scan for many keys
  // would otherwise cost the list's length per row.
  const tests = predicates.map((p): ((value: Cell) => boolean) => {
    if ('values' in p && p.values.length > 8) {
      const set = new Set<Cell>(p.values);
      return (value) => value !== null && set.has(value);
    }
    return (value) => cellMatches(value, p);
  });
  outer: for (let i = 0; i < batch.numRows; i++) {
    for (let c = 0; c < tests.length; c++) if (!tests[c]!(columns[c]![i]!)) continue outer;
    out.push(i);
  }
  return out;
}
