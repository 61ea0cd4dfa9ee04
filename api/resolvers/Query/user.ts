/** Query.user(id): a user's view; null for a user token asking for anyone but itself. */
import { userView, type UserView } from '../../query/user-view.ts';
import type { Resolver } from '../types.ts';

export const user: Resolver<unknown, { id: number }, UserView | null> = (_, { id }, ctx) => userView(ctx, id);
