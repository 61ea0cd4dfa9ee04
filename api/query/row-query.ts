/**
 * A filter over a ColumnarIndex: equalities and numeric ranges on columns (a conjunction), an optional
 * extra row test, or `none` when scoping already says no row can match. Matching starts from the rows
 * of the most selective equality when there is one, so cost follows the rows that can match.
 */
import type { ColumnarIndex, IndexValue } from '../data/columnar-index.ts';

export interface Range {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

export interface RowQuery {
  equals: readonly { column: string; value: IndexValue }[];
  ranges: readonly ({ column: string } & Range)[];
  /** Further test of a row (describe it in `cacheKey` too, or leave `cacheKey` unset). */
  rowFilter?: (row: number) => boolean;
  /** Nothing matches (a user asking for another user's rows). */
  none?: boolean;
  /** Identifies the query for caching counts; absent: counts are not cached. */
  cacheKey?: string;
}

export const NO_ROWS: RowQuery = { equals: [], ranges: [], none: true, cacheKey: 'none' };

export type RowTest = (row: number) => boolean;

/**
 * A predicate on row numbers, skipping the equality at `skip` (already satisfied by the candidate rows);
 * undefined when the query can match nothing in this index. One loop per kind of test over typed
 * arrays, no closure per condition: it runs once per candidate row.
 */
export function rowMatcher(index: ColumnarIndex, query: RowQuery, skip = -1): RowTest | undefined {
  if (query.none) return undefined;
  const codeColumns: Uint32Array[] = [];
  const codes: number[] = [];
  const numberColumns: Float64Array[] = [];
  const numbers: number[] = [];
  for (let i = 0; i < query.equals.length; i++) {
    const { column, value } = query.equals[i]!;
    if (index.isString(column)) {
      const code = index.string(column).codeOf.get(value === null ? null : String(value));
      if (code === undefined) return undefined;
      if (i !== skip) {
        codeColumns.push(index.string(column).codes);
        codes.push(code);
      }
    } else {
      if (typeof value !== 'number') return undefined;
      if (i !== skip) {
        numberColumns.push(index.number(column));
        numbers.push(value);
      }
    }
  }
  const rangeColumns: Float64Array[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  const loOpen: number[] = [];
  const hiOpen: number[] = [];
  for (const { column, gt, gte, lt, lte } of query.ranges) {
    rangeColumns.push(index.number(column));
    lo.push(gte ?? -Infinity);
    hi.push(lte ?? Infinity);
    loOpen.push(gt ?? -Infinity);
    hiOpen.push(lt ?? Infinity);
  }
  const extra = query.rowFilter;
  if (codeColumns.length + numberColumns.length + rangeColumns.length === 0) return extra ?? (() => true);
  return (row) => {
    for (let i = 0; i < codeColumns.length; i++) if (codeColumns[i]![row] !== codes[i]) return false;
    for (let i = 0; i < numberColumns.length; i++) if (numberColumns[i]![row] !== numbers[i]) return false;
    for (let i = 0; i < rangeColumns.length; i++) {
      // NaN (null) fails every comparison, as in SQL.
      const v = rangeColumns[i]![row]!;
      if (!(v >= lo[i]! && v <= hi[i]! && v > loOpen[i]! && v < hiOpen[i]!)) return false;
    }
    return extra === undefined || extra(row);
  };
}

/** The position in `query.equals` of the most selective equality, or -1 when there is none. */
export function mostSelective(index: ColumnarIndex, query: RowQuery): number {
  let best = -1;
  let size = Infinity;
  query.equals.forEach(({ column, value }, i) => {
    const n = index.rowsWhere(column, value).length;
    if (n < size) {
      best = i;
      size = n;
    }
  });
  return best;
}

/** Call `fn` with every matching row, ascending, without collecting them. */
export function forEachMatch(index: ColumnarIndex, query: RowQuery, fn: (row: number) => void): void {
  const best = mostSelective(index, query);
  const matches = rowMatcher(index, query, best);
  if (!matches) return;
  if (best >= 0) {
    const { column, value } = query.equals[best]!;
    const rows = index.rowsWhere(column, value);
    for (let i = 0; i < rows.length; i++) if (matches(rows[i]!)) fn(rows[i]!);
  } else {
    for (let row = 0; row < index.numRows; row++) if (matches(row)) fn(row);
  }
}

/** Every matching row, ascending. */
export function matchingRows(index: ColumnarIndex, query: RowQuery): number[] {
  const out: number[] = [];
  forEachMatch(index, query, (row) => out.push(row));
  return out;
}

/** Number of matching rows; remembered per index version when the query has a cache key. */
export function countRows(index: ColumnarIndex, query: RowQuery): number {
  if (query.none) return 0;
  if (query.equals.length === 0 && query.ranges.length === 0 && !query.rowFilter) return index.numRows;
  return index.memo(query.cacheKey === undefined ? undefined : `count|${query.cacheKey}`, () => {
    let n = 0;
    forEachMatch(index, query, () => n++);
    return n;
  });
}
