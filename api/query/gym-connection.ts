/** The gymSummaries connection (also a user view's gym visits): filter, scope, sort, page. */
import { completedWorkouts, gymSummary, users } from '../../schema/tables.ts';
import type { ApiContext } from '../context.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { ColumnarIndex } from '../data/columnar-index.ts';
import { buildConnection, type Connection } from './connection.ts';
import { decodeCursor, type CursorScope } from './cursor.ts';
import { GYM_SORT_COLUMNS, gymRowQuery, type GymFilterInput, type GymSortField } from './gym-filter.ts';
import { pageSize } from './page-size.ts';
import { selectPage } from './select-page.ts';
import type { ConnectionArgs } from './workout-connection.ts';

export interface GymNode {
  readonly date: number;
  readonly gym: number;
  readonly macAddress: string;
  readonly workoutId: number;
  readonly sessionId: number;
  readonly minutesInGym: number;
  readonly minutesExercising: number;
}

export function gymNode(index: ColumnarIndex, row: number): GymNode {
  return {
    date: index.number('date')[row]!,
    gym: index.number('gym')[row]!,
    macAddress: index.value('mac_address', row) as string,
    workoutId: index.number('workout_id')[row]!,
    sessionId: index.number('session_id')[row]!,
    minutesInGym: index.number('minutes_in_gym')[row]!,
    minutesExercising: index.number('minutes_exercising')[row]!,
  };
}

export async function gymConnection(ctx: ApiContext, args: ConnectionArgs<GymFilterInput, GymSortField>, viewer: Viewer = ctx.viewer): Promise<Connection<GymNode>> {
  const first = pageSize(args.first);
  const field = args.sort?.field ?? 'KEY';
  const descending = args.sort?.direction === 'DESC';
  const scope: CursorScope = { connection: 'g', sort: field, descending, keyLength: gymSummary.primaryKey.length };
  const after = args.after ? decodeCursor(args.after, scope) : undefined;
  const [index, userIndex, completed] = await Promise.all([ctx.data.index(gymSummary), ctx.data.index(users), ctx.data.index(completedWorkouts)]);
  const query = gymRowQuery(args.filter, viewer, { users: userIndex, completed }, index);
  const sortColumn = GYM_SORT_COLUMNS[field];
  const page = selectPage(index, query, { sortColumn, descending, first, after });
  return buildConnection(index, page, scope, sortColumn, after !== undefined, (row) => gymNode(index, row));
}
