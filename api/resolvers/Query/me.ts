/** Query.me: the caller's own view; analysts have no own rows and are pointed to user(id). */
import { forbidden } from '../../errors.ts';
import { userView, type UserView } from '../../query/user-view.ts';
import type { Resolver } from '../types.ts';

export const me: Resolver<unknown, Record<string, never>, UserView | null> = (_, __, ctx) => {
  if (ctx.viewer.role !== 'user') throw forbidden('me is the view of a user token; analysts ask for user(id: …)');
  return userView(ctx, ctx.viewer.userId);
};
