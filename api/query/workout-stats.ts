/**
 * Coaches' aggregate of workout_bpm_summary: workouts grouped by demographics (age bin, gender, city,
 * state) and optionally by the day or week the workout started.
 *
 * avgBpm is the mean over workouts of avg_bpm weighted by num_recordings, Σ(avg_bpm·n) / Σn: exactly the
 * mean of all the group's heart-rate readings, so a 3-minute workout does not weigh as much as a 2-hour
 * one. minBpm / maxBpm are the extremes over the group's workouts. Rows are filtered (and scoped to the
 * viewer) before grouping, so a user's aggregates only ever count the user's own workouts.
 *
 * The period of a workout is the UTC day (or the Sunday-started week) of its start_time, joined from
 * silver completed_workouts; a workout without a match there has periodStart null.
 */
import { dayOfMicros } from '../../lakehouse/time.ts';
import type { ColumnarIndex, StringColumn } from '../data/columnar-index.ts';
import type { WorkoutTimes } from '../data/workout-start-times.ts';
import { periodStart, type Period } from './period.ts';
import { forEachMatch, type RowQuery } from './row-query.ts';

export const WORKOUT_GROUP_COLUMNS = { AGE_BIN: 'age', GENDER: 'gender', CITY: 'city', STATE: 'state' } as const;
export type WorkoutGroupBy = keyof typeof WORKOUT_GROUP_COLUMNS;

export interface WorkoutStatsRow {
  ageBin: string | null;
  gender: string | null;
  city: string | null;
  state: string | null;
  /** Day number of the period's first day; null without a period (or without a known start). */
  periodStart: number | null;
  workouts: number;
  recordings: number;
  avgBpm: number | null;
  minBpm: number | null;
  maxBpm: number | null;
}

/** Accumulators of all groups, column-wise; a group is a slot. */
class Accumulators {
  readonly firstRow: number[] = [];
  readonly period: (number | null)[] = [];
  readonly workouts: number[] = [];
  readonly recordings: number[] = [];
  readonly weighted: number[] = [];
  readonly min: number[] = [];
  readonly max: number[] = [];

  open(row: number, period: number | null): number {
    this.firstRow.push(row);
    this.period.push(period);
    this.workouts.push(0);
    this.recordings.push(0);
    this.weighted.push(0);
    this.min.push(Infinity);
    this.max.push(-Infinity);
    return this.workouts.length - 1;
  }
}

/** Day numbers fit in 2^21 slots around the epoch (±2,800 years); slot 0 is "no period". */
const PERIOD_SLOTS = 2 ** 22;
const PERIOD_BASE = 2 ** 21;

export function workoutStats(index: ColumnarIndex, query: RowQuery, groupBy: readonly WorkoutGroupBy[], period: Period | null, times?: WorkoutTimes): WorkoutStatsRow[] {
  const groups = [...new Set(groupBy)];
  const columns: StringColumn[] = groups.map((g) => index.string(WORKOUT_GROUP_COLUMNS[g]));
  const avg = index.number('avg_bpm');
  const min = index.number('min_bpm');
  const max = index.number('max_bpm');
  const n = index.number('num_recordings');
  const acc = new Accumulators();
  // A group is one number: the dictionary codes of its columns, then its period's slot. Small group
  // spaces without periods index the accumulators directly; others go through a Map.
  const groupSpace = columns.reduce((product, column) => product * Math.max(1, column.values.length), 1);
  const withPeriod = period !== null && times !== undefined;
  const direct = !withPeriod && groupSpace <= 65_536 ? new Int32Array(groupSpace).fill(-1) : undefined;
  const slots = new Map<number | string, number>();
  const numericKeys = groupSpace * PERIOD_SLOTS < Number.MAX_SAFE_INTEGER;
  forEachMatch(index, query, (row) => {
    let group = 0;
    for (let c = 0; c < columns.length; c++) group = group * columns[c]!.values.length + columns[c]!.codes[row]!;
    let p: number | null = null;
    if (withPeriod) {
      const start = times.start[row]!;
      p = Number.isNaN(start) ? null : periodStart(dayOfMicros(start), period);
    }
    let slot: number | undefined;
    if (direct) {
      slot = direct[group]!;
      if (slot < 0) direct[group] = slot = acc.open(row, p);
    } else {
      const key = numericKeys ? group * PERIOD_SLOTS + (p === null ? 0 : p + PERIOD_BASE) : `${group}|${p}`;
      slot = slots.get(key);
      if (slot === undefined) slots.set(key, (slot = acc.open(row, p)));
    }
    const recordings = n[row]!;
    acc.workouts[slot]!++;
    acc.recordings[slot]! += recordings;
    acc.weighted[slot]! += avg[row]! * recordings;
    if (min[row]! < acc.min[slot]!) acc.min[slot] = min[row]!;
    if (max[row]! > acc.max[slot]!) acc.max[slot] = max[row]!;
  });
  const out: WorkoutStatsRow[] = [];
  for (let slot = 0; slot < acc.workouts.length; slot++) {
    const first = acc.firstRow[slot]!;
    const value = (g: WorkoutGroupBy) => (groups.includes(g) ? (index.value(WORKOUT_GROUP_COLUMNS[g], first) as string | null) : null);
    const workouts = acc.workouts[slot]!;
    const recordings = acc.recordings[slot]!;
    out.push({
      ageBin: value('AGE_BIN'),
      gender: value('GENDER'),
      city: value('CITY'),
      state: value('STATE'),
      periodStart: acc.period[slot]!,
      workouts,
      recordings,
      avgBpm: recordings > 0 ? acc.weighted[slot]! / recordings : null,
      minBpm: workouts > 0 && Number.isFinite(acc.min[slot]) ? acc.min[slot]! : null,
      maxBpm: workouts > 0 && Number.isFinite(acc.max[slot]) ? acc.max[slot]! : null,
    });
  }
  return out.sort(compareStatsRows);
}

const nullsLast = (a: string | number | null, b: string | number | null) => (a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1);

/** By period, then the group values (nulls last). */
export function compareStatsRows(a: WorkoutStatsRow, b: WorkoutStatsRow): number {
  return nullsLast(a.periodStart, b.periodStart) || nullsLast(a.ageBin, b.ageBin) || nullsLast(a.gender, b.gender) || nullsLast(a.state, b.state) || nullsLast(a.city, b.city);
}
