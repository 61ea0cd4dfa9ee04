/** Silver workouts: start/stop events, one per (user_id, time); repeats are ignored. */
import { kafkaMultiplexBz, workouts, type WorkoutRow } from '../../../schema/tables.ts';
import { parseWorkout } from '../../parse/payloads.ts';
import { runIncremental } from '../incremental-step.ts';
import { canonicalLess, dedupe, keyOf } from '../rows.ts';
import type { Step } from '../step.ts';
import { plausibleOnly, readTopicPayloads } from './topic-payloads.ts';
import { workoutProblem } from '../../rules/plausible.ts';

const STEP = 'silver_workouts';
// Two different events at the same (user_id, time) cannot both stand; the choice must not depend on arrival order.
const first = (a: WorkoutRow, b: WorkoutRow) => (canonicalLess(b, a) ? b : a);

export const silverWorkouts: Step = {
  name: STEP,
  layer: 'silver',
  reads: [kafkaMultiplexBz],
  writes: [workouts],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: workouts,
      upstream: [kafkaMultiplexBz],
      async compute({ ranges: [bz], quarantine }) {
        const { parsed, recordsIn } = await readTopicPayloads(bz, 'workout', plausibleOnly(parseWorkout, workoutProblem), quarantine);
        const rows: WorkoutRow[] = parsed.map((w) => ({ user_id: w.user_id, workout_id: w.workout_id, time: w.time, action: w.action, session_id: w.session_id }));
        const { kept, duplicates } = dedupe(rows, (r) => keyOf(r, workouts.primaryKey), first);
        return { rows: kept, recordsIn, duplicates };
      },
      whenMatched: (target, source) => (canonicalLess(source, target) ? source : undefined),
    }),
};
