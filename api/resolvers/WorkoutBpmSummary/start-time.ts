/** WorkoutBpmSummary.startTime / endTime: joined from silver completed_workouts when asked for. */
import { completedWorkouts } from '../../../schema/tables.ts';
import { completedRow } from '../../data/workout-start-times.ts';
import type { WorkoutNode } from '../../query/workout-connection.ts';
import type { Resolver } from '../types.ts';

const time =
  (column: 'start_time' | 'end_time'): Resolver<WorkoutNode, unknown, number | null> =>
  async (node, _, ctx) => {
    const completed = await ctx.data.index(completedWorkouts);
    const row = completedRow(completed, node.userId, node.workoutId, node.sessionId);
    return row < 0 ? null : (completed.value(column, row) as number | null);
  };

export const startTime = time('start_time');
export const endTime = time('end_time');
