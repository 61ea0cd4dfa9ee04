/** Query.gymSummaries: a page of gold gym_summary, scoped to the viewer. */
import type { Connection } from '../../query/connection.ts';
import { gymConnection, type GymNode } from '../../query/gym-connection.ts';
import type { GymFilterInput, GymSortField } from '../../query/gym-filter.ts';
import type { ConnectionArgs } from '../../query/workout-connection.ts';
import type { Resolver } from '../types.ts';

export const gymSummaries: Resolver<unknown, ConnectionArgs<GymFilterInput, GymSortField>, Connection<GymNode>> = (_, args, ctx) => gymConnection(ctx, args);
