/**
 * Silver workout_bpm: every valid reading of a user's registered device with start_time < time <=
 * end_time of one of the user's completed workouts. Any of the three inputs may arrive last, so each is
 * a trigger: new readings join the known workouts, new workouts read the readings of their window, and a
 * newly registered user's device is joined with all of the user's workouts.
 */
import { completedWorkouts, heartRate, users, workoutBpm } from '../../../schema/tables.ts';
import type { Row } from '../../table/operations/merge.ts';
import { runIncremental } from '../incremental-step.ts';
import { groupBy, keyOf, readNewRows, readTableRows, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_workout_bpm';

export const silverWorkoutBpm: Step = {
  name: STEP,
  layer: 'silver',
  reads: [heartRate, completedWorkouts, users],
  writes: [workoutBpm],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: workoutBpm,
      upstream: [heartRate, completedWorkouts, users],
      async compute({ ranges: [readings, workoutsRange, usersRange] }) {
        const allUsers = await readTableRows(usersRange!.table, { columns: ['user_id', 'device_id'] });
        const allWorkouts = await readTableRows(workoutsRange!.table);
        const userOfDevice = new Map(allUsers.map((u) => [u.device_id as number, u.user_id as number]));
        const deviceOfUser = new Map(allUsers.map((u) => [u.user_id as number, u.device_id as number]));
        const workoutsOfUser = groupBy(allWorkouts, (w) => w.user_id as number);

        const out = new Map<string, Row>();
        const emit = (w: Row, time: number, heartrate: number) => {
          const row: Row = { user_id: w.user_id!, workout_id: w.workout_id!, session_id: w.session_id!, start_time: w.start_time!, end_time: w.end_time!, time, heartrate };
          out.set(keyOf(row, workoutBpm.primaryKey), row);
        };
        const joinReadings = (deviceReadings: readonly Row[], candidates: readonly Row[]) => {
          for (const r of deviceReadings) {
            if (!r.valid) continue;
            const t = r.time as number;
            for (const w of candidates) if ((w.start_time as number) < t && t <= (w.end_time as number)) emit(w, t, r.heartrate as number);
          }
        };

        // 1. New readings with the workouts known now.
        const fresh = await readNewRows(readings!);
        for (const [device, rs] of groupBy(fresh, (r) => r.device_id as number)) {
          const user = userOfDevice.get(device as number);
          if (user !== undefined) joinReadings(rs, workoutsOfUser.get(user) ?? []);
        }
        // 2. New workouts, and all workouts of newly registered users, with the readings of their windows.
        const windows = new Map<string, Row>();
        for (const w of await readNewRows(workoutsRange!)) windows.set(keyOf(w, completedWorkouts.primaryKey), w);
        for (const u of await readNewRows(usersRange!, { columns: ['user_id'] })) {
          for (const w of workoutsOfUser.get(u.user_id as number) ?? []) windows.set(keyOf(w, completedWorkouts.primaryKey), w);
        }
        for (const w of windows.values()) {
          const device = deviceOfUser.get(w.user_id as number);
          if (device === undefined) continue;
          const rs = await readTableRows(readings!.table, {
            predicates: [
              { column: 'device_id', op: '=', value: device },
              { column: 'time', op: '>', value: w.start_time as number },
              { column: 'time', op: '<=', value: w.end_time as number },
            ],
          });
          joinReadings(rs, [w]);
        }
        return { rows: [...out.values()], recordsIn: fresh.length + windows.size };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
