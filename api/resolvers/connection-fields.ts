/** Fields every connection type shares: an edge's cursor and the total count, computed only when asked for. */
import { cursorOf, type Connection, type Edge } from '../query/connection.ts';

export const edgeCursor = (edge: Edge<unknown>): string => cursorOf(edge.index, edge.scope, edge.sortColumn, edge.row);

export const totalCount = (connection: Connection<unknown>): number => connection.page.totalCount();
