/** WorkoutBpmSummary.user: the workout's user's view, when the caller may see it. */
import { userView, type UserView } from '../../query/user-view.ts';
import type { WorkoutNode } from '../../query/workout-connection.ts';
import type { Resolver } from '../types.ts';

export const user: Resolver<WorkoutNode, unknown, UserView | null> = (node, _, ctx) => userView(ctx, node.userId);
