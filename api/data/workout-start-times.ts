/**
 * The start time of each workout_bpm_summary row, joined from silver completed_workouts on
 * (user_id, workout_id, session_id): what puts a workout on a day. NaN where there is no match.
 * Computed once per pair of versions.
 */
import type { completedWorkouts, workoutBpmSummary } from '../../schema/tables.ts';
import type { ColumnarIndex } from './columnar-index.ts';

type SummaryIndex = ColumnarIndex<typeof workoutBpmSummary>;
type CompletedIndex = ColumnarIndex<typeof completedWorkouts>;

const cache = new WeakMap<SummaryIndex, WeakMap<CompletedIndex, WorkoutTimes>>();

export interface WorkoutTimes {
  readonly start: Float64Array;
  readonly end: Float64Array;
}

/** The completed_workouts row of one workout, or -1. */
export function completedRow(completed: CompletedIndex, userId: number, workoutId: number, sessionId: number): number {
  if (completed.numRows === 0) return -1;
  const workout = completed.number('workout_id');
  const session = completed.number('session_id');
  for (const row of completed.rowsWhere('user_id', userId)) if (workout[row] === workoutId && session[row] === sessionId) return row;
  return -1;
}

export function workoutTimes(summaries: SummaryIndex, completed: CompletedIndex): WorkoutTimes {
  let byCompleted = cache.get(summaries);
  if (!byCompleted) {
    byCompleted = new WeakMap();
    cache.set(summaries, byCompleted);
  }
  let times = byCompleted.get(completed);
  if (!times) {
    const n = summaries.numRows;
    const start = new Float64Array(n).fill(NaN);
    const end = new Float64Array(n).fill(NaN);
    if (completed.numRows > 0) {
      const user = summaries.number('user_id');
      const workout = summaries.number('workout_id');
      const session = summaries.number('session_id');
      const cStart = completed.number('start_time');
      const cEnd = completed.number('end_time');
      for (let row = 0; row < n; row++) {
        const c = completedRow(completed, user[row]!, workout[row]!, session[row]!);
        if (c >= 0) {
          start[row] = cStart[c]!;
          end[row] = cEnd[c]!;
        }
      }
    }
    times = { start, end };
    byCompleted.set(completed, times);
  }
  return times;
}
