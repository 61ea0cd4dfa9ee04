/**
 * Gold workout_bpm_summary: workout_bpm grouped by (user_id, workout_id, session_id) with the user's
 * demographics; the age bin is the age on the workout's start date, so it never drifts. Only the groups
 * touched by new readings or changed demographics are recomputed, each from all of its rows.
 */
import { userBins, workoutBpm, workoutBpmSummary } from '../../../schema/tables.ts';
import type { Row } from '../../table/operations/merge.ts';
import { ageBin, ageOn } from '../../rules/age-bin.ts';
import { dayOfMicros } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { groupBy, keyOf, readNewRows, readTableRows, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'gold_workout_bpm_summary';
const GROUP = ['user_id', 'workout_id', 'session_id'] as const;

/** The summary of one workout's readings. */
export function summarize(readings: readonly Row[], bins: Row): Row {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const r of readings) {
    const hr = r.heartrate as number;
    if (hr < min) min = hr;
    if (hr > max) max = hr;
    sum += hr;
  }
  const first = readings[0]!;
  return {
    workout_id: first.workout_id!,
    session_id: first.session_id!,
    user_id: first.user_id!,
    age: ageBin(ageOn(bins.dob as number, dayOfMicros(first.start_time as number))),
    gender: bins.gender!,
    city: bins.city!,
    state: bins.state!,
    min_bpm: min,
    avg_bpm: sum / readings.length,
    max_bpm: max,
    num_recordings: readings.length,
  };
}

export const goldWorkoutBpmSummary: Step = {
  name: STEP,
  layer: 'gold',
  reads: [workoutBpm, userBins],
  writes: [workoutBpmSummary],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: workoutBpmSummary,
      upstream: [workoutBpm, userBins],
      async compute({ ranges: [bpm, bins] }) {
        const fresh = await readNewRows(bpm!, { columns: [...GROUP] });
        const freshBins = await readNewRows(bins!, { columns: ['user_id'] });
        const affectedGroups = new Set(fresh.map((r) => keyOf(r, GROUP)));
        const binUsers = new Set(freshBins.map((b) => b.user_id as number));
        const userIds = [...new Set([...fresh.map((r) => r.user_id as number), ...binUsers])];
        if (userIds.length === 0) return { rows: [], recordsIn: 0 };
        const binsOf = new Map((await readTableRows(bins!.table, { predicates: [{ column: 'user_id', op: 'in', values: userIds }] })).map((b) => [b.user_id as number, b]));
        const readings = await readTableRows(bpm!.table, { predicates: [{ column: 'user_id', op: 'in', values: userIds }] });
        const rows: Row[] = [];
        for (const [key, group] of groupBy(readings, (r) => keyOf(r, GROUP))) {
          const user = group[0]!.user_id as number;
          if (!affectedGroups.has(key as string) && !binUsers.has(user)) continue;
          const demographics = binsOf.get(user);
          // Without a profile yet the summary waits; the profile's arrival triggers it.
          if (demographics) rows.push(summarize(group, demographics));
        }
        return { rows, recordsIn: fresh.length + freshBins.length };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
