/** The workoutBpmSummaries connection (also a user view's workouts): filter, scope, sort, page. */
import { completedWorkouts, workoutBpmSummary } from '../../schema/tables.ts';
import type { ApiContext } from '../context.ts';
import type { Viewer } from '../auth/viewer.ts';
import type { ColumnarIndex } from '../data/columnar-index.ts';
import { workoutTimes } from '../data/workout-start-times.ts';
import { buildConnection, type Connection } from './connection.ts';
import { decodeCursor, type CursorScope } from './cursor.ts';
import { pageSize } from './page-size.ts';
import { selectPage } from './select-page.ts';
import { needsStartTimes, WORKOUT_SORT_COLUMNS, workoutRowQuery, type SortInput, type StartTimes, type WorkoutFilterInput, type WorkoutSortField } from './workout-filter.ts';

export interface WorkoutNode {
  readonly userId: number;
  readonly workoutId: number;
  readonly sessionId: number;
  readonly ageBin: string | null;
  readonly gender: string | null;
  readonly city: string | null;
  readonly state: string | null;
  readonly minBpm: number;
  readonly avgBpm: number;
  readonly maxBpm: number;
  readonly numRecordings: number;
  /** Where the node came from, for the fields joined on demand (startTime, user). */
  readonly row: number;
  readonly index: ColumnarIndex;
}

export interface ConnectionArgs<F, S extends string> {
  filter?: F | null;
  sort?: SortInput<S> | null;
  first?: number | null;
  after?: string | null;
}

const nodeMakers = new WeakMap<ColumnarIndex, (row: number) => WorkoutNode>();

/** A function making nodes of an index's rows, reading its typed arrays directly. */
export function workoutNodes(index: ColumnarIndex): (row: number) => WorkoutNode {
  let make = nodeMakers.get(index);
  if (!make) {
    const [user, workout, session, min, avg, max, recordings] = ['user_id', 'workout_id', 'session_id', 'min_bpm', 'avg_bpm', 'max_bpm', 'num_recordings'].map((c) => index.number(c)) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const [age, gender, city, state] = ['age', 'gender', 'city', 'state'].map((c) => index.string(c));
    make = (row) => ({
      userId: user[row]!,
      workoutId: workout[row]!,
      sessionId: session[row]!,
      ageBin: age!.values[age!.codes[row]!]!,
      gender: gender!.values[gender!.codes[row]!]!,
      city: city!.values[city!.codes[row]!]!,
      state: state!.values[state!.codes[row]!]!,
      minBpm: min[row]!,
      avgBpm: avg[row]!,
      maxBpm: max[row]!,
      numRecordings: recordings[row]!,
      row,
      index,
    });
    nodeMakers.set(index, make);
  }
  return make;
}

/** The start times of a summary index's rows, joined from the completed_workouts version served now. */
export async function startTimesOf(ctx: ApiContext, summaries: ColumnarIndex<typeof workoutBpmSummary>): Promise<StartTimes> {
  const completed = await ctx.data.index(completedWorkouts);
  return { start: workoutTimes(summaries, completed).start, version: completed.version };
}

export async function workoutConnection(ctx: ApiContext, args: ConnectionArgs<WorkoutFilterInput, WorkoutSortField>, viewer: Viewer = ctx.viewer): Promise<Connection<WorkoutNode>> {
  const first = pageSize(args.first);
  const field = args.sort?.field ?? 'KEY';
  const descending = args.sort?.direction === 'DESC';
  const scope: CursorScope = { connection: 'w', sort: field, descending, keyLength: workoutBpmSummary.primaryKey.length };
  const after = args.after ? decodeCursor(args.after, scope) : undefined;
  const index = await ctx.data.index(workoutBpmSummary);
  const query = workoutRowQuery(args.filter, viewer, needsStartTimes(args.filter) ? await startTimesOf(ctx, index) : undefined);
  const sortColumn = WORKOUT_SORT_COLUMNS[field];
  const page = selectPage(index, query, { sortColumn, descending, first, after });
  return buildConnection(index, page, scope, sortColumn, after !== undefined, workoutNodes(index));
}
