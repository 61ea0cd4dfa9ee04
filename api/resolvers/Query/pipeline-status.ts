/** Query.pipelineStatus: every table's version, rows and freshness; row counts are for analysts only. */
import type { TableStatus } from '../../data/lake-data.ts';
import type { Resolver } from '../types.ts';

export const pipelineStatus: Resolver<unknown, Record<string, never>, TableStatus[]> = async (_, __, ctx) => {
  const statuses = await ctx.data.statuses();
  // Row counts span every user's rows: not a user token's business.
  return ctx.viewer.role === 'analyst' ? statuses : statuses.map((s) => ({ ...s, rowCount: null }));
};
