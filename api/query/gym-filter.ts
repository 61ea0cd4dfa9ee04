/**
 * The GraphQL filter of gym_summary as a RowQuery. gym_summary has no user_id: a user's rows are those
 * of the MAC address of its registration (silver users). When several users registered that MAC, a
 * user's rows are further narrowed to its own completed workouts (silver completed_workouts).
 */
import { type Viewer, scopedUserId } from '../auth/viewer.ts';
import { badUserInput } from '../errors.ts';
import type { ColumnarIndex, IndexValue } from '../data/columnar-index.ts';
import { NO_ROWS, type Range, type RowQuery } from './row-query.ts';

export interface GymFilterInput {
  dateFrom?: number | null;
  dateTo?: number | null;
  gym?: number | null;
  macAddress?: string | null;
  userId?: number | null;
}

export const GYM_SORT_COLUMNS = {
  KEY: null,
  DATE: 'date',
  GYM: 'gym',
  MINUTES_IN_GYM: 'minutes_in_gym',
  MINUTES_EXERCISING: 'minutes_exercising',
} as const satisfies Record<string, string | null>;

export type GymSortField = keyof typeof GYM_SORT_COLUMNS;

/** The silver tables a gym query may need to resolve a user. */
export interface UserTables {
  users: ColumnarIndex;
  completed: ColumnarIndex;
}

/** The (workout_id, session_id) pairs of a user's completed workouts, as `w/s` strings. */
function sessionsOf(completed: ColumnarIndex, userId: number): Set<string> {
  const out = new Set<string>();
  if (completed.numRows === 0) return out;
  const w = completed.number('workout_id');
  const s = completed.number('session_id');
  for (const row of completed.rowsWhere('user_id', userId)) out.add(`${w[row]}/${s[row]}`);
  return out;
}

export function gymRowQuery(filter: GymFilterInput | null | undefined, viewer: Viewer, tables: UserTables, gyms: ColumnarIndex): RowQuery {
  const f = filter ?? {};
  const from = f.dateFrom ?? undefined;
  const to = f.dateTo ?? undefined;
  if (from !== undefined && to !== undefined && from > to) throw badUserInput('dateFrom is after dateTo');
  const userId = scopedUserId(viewer, f.userId ?? undefined);
  if (userId === null) return NO_ROWS;
  const equals: { column: string; value: IndexValue }[] = [];
  let rowFilter: ((row: number) => boolean) | undefined;
  let mac = f.macAddress ?? undefined;
  if (userId !== undefined) {
    const registrations = tables.users.numRows === 0 ? [] : [...tables.users.rowsWhere('user_id', userId)];
    const own = registrations.map((row) => tables.users.value('mac_address', row));
    const ownMac = own[0];
    if (typeof ownMac !== 'string' || (mac !== undefined && mac !== ownMac)) return NO_ROWS;
    mac = ownMac;
    if (tables.users.rowsWhere('mac_address', ownMac).length > 1 && gyms.numRows > 0) {
      const sessions = sessionsOf(tables.completed, userId);
      const w = gyms.number('workout_id');
      const s = gyms.number('session_id');
      rowFilter = (row) => sessions.has(`${w[row]}/${s[row]}`);
    }
  }
  if (mac !== undefined) equals.push({ column: 'mac_address', value: mac });
  if (f.gym !== null && f.gym !== undefined) equals.push({ column: 'gym', value: f.gym });
  const ranges: ({ column: string } & Range)[] = [];
  if (from !== undefined || to !== undefined) ranges.push({ column: 'date', ...(from !== undefined ? { gte: from } : {}), ...(to !== undefined ? { lte: to } : {}) });
  return { equals, ranges, ...(rowFilter ? { rowFilter } : {}), cacheKey: JSON.stringify([equals, ranges, rowFilter ? [userId, tables.completed.version] : null]) };
}
