/**
 * Relay-style connections over a page of index rows. Edges carry the row; their cursor, the node's
 * extra fields and totalCount are computed by resolvers only when the query asks for them.
 */
import type { ColumnarIndex } from '../data/columnar-index.ts';
import { encodeCursor, type CursorScope } from './cursor.ts';
import type { Page } from './select-page.ts';

export interface Edge<N> {
  readonly row: number;
  readonly node: N;
  readonly index: ColumnarIndex;
  readonly scope: CursorScope;
  readonly sortColumn: string | null;
}

export interface Connection<N> {
  readonly edges: Edge<N>[];
  readonly pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  readonly page: Page;
}

/** The cursor of a row: its position in the connection's order. */
export function cursorOf(index: ColumnarIndex, scope: CursorScope, sortColumn: string | null, row: number): string {
  return encodeCursor(scope, { value: sortColumn === null ? null : index.value(sortColumn, row), key: index.keyOf(row) });
}

export function buildConnection<N>(index: ColumnarIndex, page: Page, scope: CursorScope, sortColumn: string | null, hasPrevious: boolean, toNode: (row: number) => N): Connection<N> {
  const edges = page.rows.map((row) => ({ row, node: toNode(row), index, scope, sortColumn }));
  const firstRow = page.rows[0];
  const lastRow = page.rows[page.rows.length - 1];
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: hasPrevious,
      startCursor: firstRow === undefined ? null : cursorOf(index, scope, sortColumn, firstRow),
      endCursor: lastRow === undefined ? null : cursorOf(index, scope, sortColumn, lastRow),
    },
    page,
  };
}
