/** UserView.gymVisits: the gym summaries connection read as that user. */
import type { Connection } from '../../query/connection.ts';
import { gymConnection, type GymNode } from '../../query/gym-connection.ts';
import type { GymFilterInput, GymSortField } from '../../query/gym-filter.ts';
import type { UserView } from '../../query/user-view.ts';
import type { ConnectionArgs } from '../../query/workout-connection.ts';
import type { Resolver } from '../types.ts';

export const gymVisits: Resolver<UserView, ConnectionArgs<GymFilterInput, GymSortField>, Connection<GymNode>> = (view, args, ctx) => gymConnection(ctx, args, view.scope);
