/**
 * WorkoutBpmSummary.heartRate: the workout's readings from silver workout_bpm. The node came through a
 * connection scoped to the viewer already; the check is repeated here because this field reads raw
 * readings, the most sensitive data the API serves, and must hold whatever path leads to it.
 */
import { completedWorkouts } from '../../../schema/tables.ts';
import { CurveTooLongError, type HeartRatePoint } from '../../data/heart-rate-curve.ts';
import { completedRow } from '../../data/workout-start-times.ts';
import { apiError, ErrorCode } from '../../errors.ts';
import { mayView } from '../../query/user-view.ts';
import type { WorkoutNode } from '../../query/workout-connection.ts';
import type { Resolver } from '../types.ts';

export const heartRate: Resolver<WorkoutNode, unknown, HeartRatePoint[]> = async (node, _, ctx) => {
  if (!mayView(ctx.viewer, node.userId)) return [];
  const completed = await ctx.data.index(completedWorkouts);
  const row = completedRow(completed, node.userId, node.workoutId, node.sessionId);
  const window = row < 0 ? undefined : { start: completed.value('start_time', row) as number, end: completed.value('end_time', row) as number };
  try {
    return await ctx.data.heartRateCurve({ userId: node.userId, workoutId: node.workoutId, sessionId: node.sessionId, window });
  } catch (e) {
    if (e instanceof CurveTooLongError) throw apiError(`heartRate: ${e.message}, more than one curve may hold`, ErrorCode.costLimit);
    throw e;
  }
};
