/**
 * A user's own view (`me`, `user(id)`, a workout's `user`): registration details from silver users; its
 * workouts and gym visits are connections scoped to that user (resolvers in resolvers/UserView/).
 * Visibility: analysts see every user; a user token sees only itself (others read as null).
 */
import { users } from '../../schema/tables.ts';
import type { ColumnName } from '../../schema/types.ts';
import type { ApiContext } from '../context.ts';
import type { Viewer } from '../auth/viewer.ts';

export interface UserView {
  readonly userId: number;
  readonly deviceId: number | null;
  readonly macAddress: string | null;
  /** µs since the epoch. */
  readonly registeredAt: number | null;
  /** The viewer the view's connections read as: that user. */
  readonly scope: Viewer;
}

export function mayView(viewer: Viewer, userId: number): boolean {
  return viewer.role === 'analyst' || viewer.userId === userId;
}

/** The view of a user, or null when the viewer may not see it. */
export async function userView(ctx: ApiContext, userId: number): Promise<UserView | null> {
  if (!mayView(ctx.viewer, userId)) return null;
  const index = await ctx.data.index(users);
  const row = index.numRows === 0 ? undefined : index.rowsWhere('user_id', userId)[0];
  const get = (column: ColumnName<typeof users>) => (row === undefined ? null : index.value(column, row));
  return {
    userId,
    deviceId: get('device_id') as number | null,
    macAddress: get('mac_address') as string | null,
    registeredAt: get('registration_timestamp') as number | null,
    scope: { role: 'user', userId },
  };
}
