/**
 * The check after a benchmark run on a generated landing zone (simulator/landing-generator.ts, maybe reshaped by
 * reshape-landing.ts): the lake must hold exactly what the generator planned, row for row, whatever the
 * shape the records came in. Shared by pipeline-generated.ts (in-process) and whole-process.ts (the
 * `fitlake` command).
 */
import assert from 'node:assert/strict';
import { completedWorkouts, heartRate, quarantineRecords, workoutBpm, workoutBpmSummary } from '../schema/tables.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import { expectedHeartRate, validHeartRate } from './conflicts.ts';
import { heartRateAt, type GeneratedLanding, type PlannedWorkout } from '../simulator/landing-generator.ts';

export interface VerifyOptions {
  seed: number;
  /** The landing zone was reshaped with --conflicts: conflicted instants keep the spec's choice. @default false */
  conflicts?: boolean;
}

const groupKey = (user: number, workout: number, session: number) => `${user}/${workout}/${session}`;

/** The heart rate heart_rate must hold for a device at a second. */
const expectedAt = (seed: number, conflicts: boolean, device: number, t: number) => expectedHeartRate(device, t, heartRateAt(seed, device, t), conflicts);

/** The number of readings workout_bpm must hold for a planned workout: seconds in (start, end] whose kept reading is valid. */
function expectedWorkoutReadings(seed: number, conflicts: boolean, w: PlannedWorkout): number {
  let n = 0;
  for (let t = w.start + 1; t <= w.end; t++) if (validHeartRate(expectedAt(seed, conflicts, w.device, t))) n++;
  return n;
}

/**
 * Check the lake against the generator's plan; throws (AssertionError) at the first difference and
 * otherwise returns a line saying what was checked.
 */
export async function verifyGenerated(lake: Lake, landing: GeneratedLanding, options: VerifyOptions): Promise<string> {
  const { seed, conflicts = false } = options;
  const planned = new Map<string, PlannedWorkout>(landing.workouts.map((w) => [groupKey(w.user, w.workout, w.session), w]));
  assert.equal(await (await lake.table(quarantineRecords)).count(), 0, 'quarantined records');
  assert.equal(await (await lake.table(completedWorkouts)).count(), planned.size, 'completed_workouts rows');

  // heart_rate, streamed: one row per generated (device, second), each with the reading the spec keeps.
  let readings = 0;
  let validReadings = 0;
  for await (const batch of (await lake.table(heartRate)).scan()) {
    const device = batch.columns.get('device_id') as readonly number[];
    const time = batch.columns.get('time') as readonly number[];
    const hr = batch.columns.get('heartrate') as readonly number[];
    const valid = batch.columns.get('valid') as readonly boolean[];
    for (let i = 0; i < batch.numRows; i++) {
      const t = time[i]! / 1e6;
      assert.ok(Number.isInteger(t) && t >= landing.t0 && t < landing.t0 + landing.seconds, `heart_rate reading at ${t} outside the generated seconds`);
      const expected = expectedAt(seed, conflicts, device[i]!, t);
      assert.equal(hr[i], expected, `heart_rate of device ${device[i]} at ${t}`);
      assert.equal(valid[i], validHeartRate(expected), `valid of device ${device[i]} at ${t}`);
      readings++;
      if (valid[i]) validReadings++;
    }
  }
  assert.equal(readings, landing.readings, 'heart_rate rows (one per device and second)');

  // workout_bpm, streamed: each row inside its planned window with the device's kept reading of that second.
  const groups = new Map<string, { n: number; min: number; max: number; sum: number }>();
  let rows = 0;
  for await (const batch of (await lake.table(workoutBpm)).scan()) {
    const col = (name: string) => batch.columns.get(name) as readonly number[];
    const [user, workout, session, start, end, time, hr] = ['user_id', 'workout_id', 'session_id', 'start_time', 'end_time', 'time', 'heartrate'].map(col) as [
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
      readonly number[],
    ];
    for (let i = 0; i < batch.numRows; i++) {
      const key = groupKey(user[i]!, workout[i]!, session[i]!);
      const w = planned.get(key);
      assert.ok(w, `workout_bpm holds a reading of ${key}, which is not a completed workout`);
      assert.equal(start[i], w.start * 1e6, `start_time of ${key}`);
      assert.equal(end[i], w.end * 1e6, `end_time of ${key}`);
      const t = time[i]! / 1e6;
      assert.ok(Number.isInteger(t) && t > w.start && t <= w.end, `reading at ${t} outside ${key} (${w.start}, ${w.end}]`);
      assert.equal(hr[i], expectedAt(seed, conflicts, w.device, t), `heart rate of device ${w.device} at ${t}`);
      const g = groups.get(key);
      if (g) {
        g.n++;
        g.min = Math.min(g.min, hr[i]!);
        g.max = Math.max(g.max, hr[i]!);
        g.sum += hr[i]!;
      } else groups.set(key, { n: 1, min: hr[i]!, max: hr[i]!, sum: hr[i]! });
      rows++;
    }
  }
  let expectedRows = 0;
  for (const [key, w] of planned) {
    const n = expectedWorkoutReadings(seed, conflicts, w);
    expectedRows += n;
    assert.equal(groups.get(key)?.n ?? 0, n, `workout_bpm readings of ${key}`);
  }
  assert.equal(rows, expectedRows, 'workout_bpm rows');

  // The summary agrees with workout_bpm group by group.
  const summary = await (await lake.table(workoutBpmSummary)).rows();
  assert.equal(summary.length, [...groups.values()].filter((g) => g.n > 0).length, 'workout_bpm_summary rows');
  for (const s of summary) {
    const key = groupKey(s.user_id as number, s.workout_id as number, s.session_id as number);
    const g = groups.get(key);
    assert.ok(g, `summary row ${key} without workout_bpm rows`);
    assert.equal(s.num_recordings, g.n, `num_recordings of ${key}`);
    assert.equal(s.min_bpm, g.min, `min_bpm of ${key}`);
    assert.equal(s.max_bpm, g.max, `max_bpm of ${key}`);
    assert.ok(Math.abs((s.avg_bpm as number) - g.sum / g.n) < 1e-9, `avg_bpm of ${key}: ${s.avg_bpm} vs ${g.sum / g.n}`);
  }
  return (
    `${readings.toLocaleString('en-US')} heart_rate rows (${validReadings.toLocaleString('en-US')} valid), ${planned.size} completed workouts, ` +
    `${rows.toLocaleString('en-US')} workout_bpm rows, ${summary.length} summary rows: all as planned${conflicts ? ' (conflicting readings resolved as the spec says)' : ''}`
  );
}
