/** Query.gymUtilisation: visits and minutes by gym and period; filtered and scoped before grouping. */
import { completedWorkouts, gymSummary, users } from '../../../schema/tables.ts';
import { gymRowQuery, type GymFilterInput } from '../../query/gym-filter.ts';
import { gymUtilisation as aggregate, type GymGroupBy, type GymUtilisationRow } from '../../query/gym-utilisation.ts';
import type { Period } from '../../query/period.ts';
import type { Resolver } from '../types.ts';

interface Args {
  groupBy: GymGroupBy[];
  period?: Period | null;
  filter?: GymFilterInput | null;
}

export const gymUtilisation: Resolver<unknown, Args, GymUtilisationRow[]> = async (_, args, ctx) => {
  const [index, userIndex, completed] = await Promise.all([ctx.data.index(gymSummary), ctx.data.index(users), ctx.data.index(completedWorkouts)]);
  const query = gymRowQuery(args.filter, ctx.viewer, { users: userIndex, completed }, index);
  const period = args.period ?? null;
  const key = query.cacheKey === undefined ? undefined : `gymUtilisation|${query.cacheKey}|${args.groupBy.join()}|${period}`;
  return index.memo(key, () => aggregate(index, query, args.groupBy, period));
};
