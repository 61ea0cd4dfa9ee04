/**
 * Query.pipelineStatus: for analysts every table's version, rows, commit time and freshness; for a user
 * only the freshness of the tables its own views read (how current its workouts and gym visits are),
 * without versions, commit times or row counts, which describe everyone's data.
 */
import { completedWorkouts, gymSummary, users, workoutBpm, workoutBpmSummary } from '../../../schema/tables.ts';
import { tablePath } from '../../../schema/types.ts';
import type { TableStatus } from '../../data/lake-data.ts';
import type { Resolver } from '../types.ts';

/** The tables behind a user's data (workouts with their start times and heart-rate curves; gym visits by the user's MAC address). */
const USER_TABLES: ReadonlySet<string> = new Set([workoutBpmSummary, completedWorkouts, workoutBpm, gymSummary, users].map(tablePath));

export const pipelineStatus: Resolver<unknown, Record<string, never>, TableStatus[]> = async (_, __, ctx) => {
  const statuses = await ctx.data.statuses();
  if (ctx.viewer.role === 'analyst') return statuses;
  return statuses.filter((s) => USER_TABLES.has(s.path)).map((s) => ({ ...s, version: null, rowCount: null, lastCommitAt: null }));
};
