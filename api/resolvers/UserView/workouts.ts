/** UserView.workouts: the workouts connection read as that user (the view was already authorised). */
import type { Connection } from '../../query/connection.ts';
import type { UserView } from '../../query/user-view.ts';
import { workoutConnection, type ConnectionArgs, type WorkoutNode } from '../../query/workout-connection.ts';
import type { WorkoutFilterInput, WorkoutSortField } from '../../query/workout-filter.ts';
import type { Resolver } from '../types.ts';

export const workouts: Resolver<UserView, ConnectionArgs<WorkoutFilterInput, WorkoutSortField>, Connection<WorkoutNode>> = (view, args, ctx) => workoutConnection(ctx, args, view.scope);
