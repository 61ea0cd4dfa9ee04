/**
 * The GraphQL filter and sort of workout_bpm_summary, turned into a RowQuery and a sort column. The
 * viewer's scope is applied here, at the data level, before any paging or aggregation: a user token
 * only ever matches rows of its own user_id.
 */
import { type Viewer, scopedUserId } from '../auth/viewer.ts';
import { badUserInput } from '../errors.ts';
import type { IndexValue } from '../data/columnar-index.ts';
import { NO_ROWS, type Range, type RowQuery } from './row-query.ts';

export interface RangeInput {
  gt?: number | null;
  gte?: number | null;
  lt?: number | null;
  lte?: number | null;
}

export interface WorkoutFilterInput {
  userId?: number | null;
  workoutId?: number | null;
  sessionId?: number | null;
  ageBin?: string | null;
  gender?: string | null;
  city?: string | null;
  state?: string | null;
  minBpm?: RangeInput | null;
  avgBpm?: RangeInput | null;
  maxBpm?: RangeInput | null;
  numRecordings?: RangeInput | null;
  /** UTC day of the workout's start (silver completed_workouts), inclusive; day numbers. */
  dateFrom?: number | null;
  dateTo?: number | null;
}

/** The start time of each row of the summary index (µs, NaN: unknown) and the version it came from. */
export interface StartTimes {
  readonly start: Float64Array;
  readonly version: number;
}

const MICROS_PER_DAY = 86_400_000_000;

/** Whether the filter needs the workouts' start times (a date range). */
export const needsStartTimes = (filter: WorkoutFilterInput | null | undefined): boolean =>
  (filter?.dateFrom ?? undefined) !== undefined || (filter?.dateTo ?? undefined) !== undefined;

export type SortDirection = 'ASC' | 'DESC';

export interface SortInput<F extends string> {
  field?: F | null;
  direction?: SortDirection | null;
}

export const WORKOUT_SORT_COLUMNS = {
  KEY: null,
  AVG_BPM: 'avg_bpm',
  MIN_BPM: 'min_bpm',
  MAX_BPM: 'max_bpm',
  NUM_RECORDINGS: 'num_recordings',
} as const satisfies Record<string, string | null>;

export type WorkoutSortField = keyof typeof WORKOUT_SORT_COLUMNS;

/** A range input with nulls dropped; BAD_USER_INPUT when it can match nothing because it is inverted. */
export function rangeOf(name: string, input: RangeInput | null | undefined): Range | undefined {
  if (!input) return undefined;
  const range: Range = {};
  for (const k of ['gt', 'gte', 'lt', 'lte'] as const) {
    const v = input[k];
    if (v !== null && v !== undefined) range[k] = v;
  }
  if (Object.keys(range).length === 0) return undefined;
  const lo = Math.max(range.gt ?? -Infinity, range.gte ?? -Infinity);
  const hi = Math.min(range.lt ?? Infinity, range.lte ?? Infinity);
  if (lo > hi) throw badUserInput(`${name}: the lower bound ${lo} is above the upper bound ${hi}`);
  return range;
}

/**
 * RowQuery of a filter as seen by a viewer. `times`: the start times of the summary index's rows,
 * needed when the filter has a date range (needsStartTimes); a workout without one matches no range.
 */
export function workoutRowQuery(filter: WorkoutFilterInput | null | undefined, viewer: Viewer, times?: StartTimes): RowQuery {
  const f = filter ?? {};
  const from = f.dateFrom ?? undefined;
  const to = f.dateTo ?? undefined;
  if (from !== undefined && to !== undefined && from > to) throw badUserInput('dateFrom is after dateTo');
  const userId = scopedUserId(viewer, f.userId ?? undefined);
  if (userId === null) return NO_ROWS;
  const equals: { column: string; value: IndexValue }[] = [];
  if (userId !== undefined) equals.push({ column: 'user_id', value: userId });
  const eq = (column: string, value: IndexValue | undefined) => {
    if (value !== null && value !== undefined) equals.push({ column, value });
  };
  eq('workout_id', f.workoutId);
  eq('session_id', f.sessionId);
  eq('age', f.ageBin);
  eq('gender', f.gender);
  eq('city', f.city);
  eq('state', f.state);
  const ranges: ({ column: string } & Range)[] = [];
  const range = (name: string, column: string, input: RangeInput | null | undefined) => {
    const r = rangeOf(name, input);
    if (r) ranges.push({ column, ...r });
  };
  range('minBpm', 'min_bpm', f.minBpm);
  range('avgBpm', 'avg_bpm', f.avgBpm);
  range('maxBpm', 'max_bpm', f.maxBpm);
  range('numRecordings', 'num_recordings', f.numRecordings);
  if (from === undefined && to === undefined) return { equals, ranges, cacheKey: JSON.stringify([equals, ranges]) };
  if (!times) throw new Error('a date range needs the start times of the workouts');
  // Days as µs bounds: [from 00:00, to+1 00:00). NaN (no start time) fails both comparisons.
  const lo = from === undefined ? -Infinity : from * MICROS_PER_DAY;
  const hi = to === undefined ? Infinity : (to + 1) * MICROS_PER_DAY;
  const start = times.start;
  const rowFilter = (row: number) => start[row]! >= lo && start[row]! < hi;
  return { equals, ranges, rowFilter, cacheKey: JSON.stringify([equals, ranges, from ?? null, to ?? null, times.version]) };
}
