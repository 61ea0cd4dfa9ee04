/** Query.workoutStats: workouts grouped by demographics and period; filtered and scoped before grouping. */
import { completedWorkouts, workoutBpmSummary } from '../../../schema/tables.ts';
import { workoutTimes } from '../../data/workout-start-times.ts';
import type { Period } from '../../query/period.ts';
import { startTimesOf } from '../../query/workout-connection.ts';
import { needsStartTimes, workoutRowQuery, type WorkoutFilterInput } from '../../query/workout-filter.ts';
import { workoutStats as aggregate, type WorkoutGroupBy, type WorkoutStatsRow } from '../../query/workout-stats.ts';
import type { Resolver } from '../types.ts';

interface Args {
  groupBy: WorkoutGroupBy[];
  period?: Period | null;
  filter?: WorkoutFilterInput | null;
}

export const workoutStats: Resolver<unknown, Args, WorkoutStatsRow[]> = async (_, args, ctx) => {
  const index = await ctx.data.index(workoutBpmSummary);
  const query = workoutRowQuery(args.filter, ctx.viewer, needsStartTimes(args.filter) ? await startTimesOf(ctx, index) : undefined);
  const period = args.period ?? null;
  const completed = period ? await ctx.data.index(completedWorkouts) : undefined;
  const key = query.cacheKey === undefined ? undefined : `workoutStats|${query.cacheKey}|${args.groupBy.join()}|${period}|${completed?.version}`;
  return index.memo(key, () => aggregate(index, query, args.groupBy, period, completed ? workoutTimes(index, completed) : undefined));
};
