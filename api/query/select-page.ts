/**
 * One page of matching rows in a sort order, after a cursor position (seek pagination: the cursor is a
 * position in the order, not an offset, so pages stay gap- and repeat-free while the table changes).
 *
 * The walk starts from the rows of the most selective equality, already in the sort order
 * (ColumnarIndex.rowsWhereInOrder), or from the whole order when there is no equality; a binary search
 * finds the cursor's place, and the walk stops as soon as the page is full. totalCount is counted only
 * when asked for, and cached per table version and filter.
 */
import type { ColumnarIndex, OrderTuple } from '../data/columnar-index.ts';
import { countRows, mostSelective, rowMatcher, type RowQuery } from './row-query.ts';

export interface PageRequest {
  /** Sort column; null sorts by the key. */
  sortColumn: string | null;
  descending: boolean;
  first: number;
  after?: OrderTuple | undefined;
}

export interface Page {
  /** Row numbers of the page, in order. */
  rows: number[];
  hasNextPage: boolean;
  /** Rows matching the query, on every page. */
  totalCount(): number;
}

/** First position in `rows` (ranks ascending along it) whose rank is ≥ `rank`. */
function firstAtOrAbove(rows: Uint32Array, rank: Uint32Array, target: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rank[rows[mid]!]! < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function selectPage(index: ColumnarIndex, query: RowQuery, request: PageRequest): Page {
  const best = mostSelective(index, query);
  const matches = rowMatcher(index, query, best);
  if (!matches) return { rows: [], hasNextPage: false, totalCount: () => 0 };
  const { first, descending, after } = request;
  const order = index.order(request.sortColumn);
  // Ranks past the cursor: [lo, hi), walked upwards (ascending) or downwards (descending).
  let lo = 0;
  let hi = index.numRows;
  if (after) {
    if (descending) hi = index.countBefore(order, after, false);
    else lo = index.countBefore(order, after, true);
  }
  let walk: Uint32Array;
  let from: number;
  let to: number;
  if (best >= 0) {
    const { column, value } = query.equals[best]!;
    walk = index.rowsWhereInOrder(column, value, order);
    from = firstAtOrAbove(walk, order.rank, lo);
    to = firstAtOrAbove(walk, order.rank, hi);
  } else {
    walk = order.perm;
    from = lo;
    to = hi;
  }
  const want = first + 1;
  const rows: number[] = [];
  if (descending) {
    for (let i = to - 1; i >= from && rows.length < want; i--) if (matches(walk[i]!)) rows.push(walk[i]!);
  } else {
    for (let i = from; i < to && rows.length < want; i++) if (matches(walk[i]!)) rows.push(walk[i]!);
  }
  return { rows: rows.length > first ? rows.slice(0, first) : rows, hasNextPage: rows.length > first, totalCount: () => countRows(index, query) };
}
