/**
 * Opaque page cursors: the position of a row in a sort order (sort value and primary key), tagged with
 * the connection and sort they belong to, as base64url JSON. A cursor of another connection or sort, or
 * anything that does not decode, is a BAD_USER_INPUT error.
 */
import { badUserInput } from '../errors.ts';
import type { IndexValue, OrderTuple } from '../data/columnar-index.ts';

export interface CursorScope {
  /** Which connection: `w` workout summaries, `g` gym summaries. */
  connection: string;
  /** Sort field name as the client gave it, and direction. */
  sort: string;
  descending: boolean;
  /** Number of key columns. */
  keyLength: number;
}

export function encodeCursor(scope: CursorScope, tuple: OrderTuple): string {
  const payload = [scope.connection, scope.sort, scope.descending ? 1 : 0, tuple.value ?? null, ...tuple.key];
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

const isCell = (v: unknown): v is IndexValue => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** The position a cursor stands for; throws BAD_USER_INPUT when it is not a cursor of this scope. */
export function decodeCursor(text: string, scope: CursorScope): OrderTuple {
  let payload: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,2048}$/.test(text)) throw new Error('not base64url');
    payload = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badUserInput('after: not a cursor of this API (use pageInfo.endCursor or an edge cursor as returned)');
  }
  if (!Array.isArray(payload) || payload.length !== 4 + scope.keyLength || !payload.slice(3).every(isCell)) {
    throw badUserInput('after: not a cursor of this API (use pageInfo.endCursor or an edge cursor as returned)');
  }
  const [connection, sort, descending] = payload as [unknown, unknown, unknown];
  if (connection !== scope.connection) throw badUserInput('after: this cursor belongs to another connection');
  if (sort !== scope.sort || descending !== (scope.descending ? 1 : 0)) {
    throw badUserInput('after: this cursor was made for another sort; keep the sort of the page it came from');
  }
  return { value: payload[3] as IndexValue, key: payload.slice(4) as IndexValue[] };
}
