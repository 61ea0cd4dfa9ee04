/** Query.workoutBpmSummaries: a page of gold workout_bpm_summary, scoped to the viewer. */
import type { Connection } from '../../query/connection.ts';
import { workoutConnection, type ConnectionArgs, type WorkoutNode } from '../../query/workout-connection.ts';
import type { WorkoutFilterInput, WorkoutSortField } from '../../query/workout-filter.ts';
import type { Resolver } from '../types.ts';

export const workoutBpmSummaries: Resolver<unknown, ConnectionArgs<WorkoutFilterInput, WorkoutSortField>, Connection<WorkoutNode>> = (_, args, ctx) => workoutConnection(ctx, args);
