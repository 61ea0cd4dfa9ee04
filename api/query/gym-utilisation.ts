/**
 * Gym utilisation from gold gym_summary, by gym and optionally by day or (Sunday-started) week of the
 * visit's date: visits, workouts, minutes in the gym, minutes exercising, and utilisation = minutes
 * exercising / minutes in the gym.
 *
 * gym_summary has one row per workout during a visit, and repeats the visit's minutes_in_gym on each, so
 * a visit is counted once: rows with the same (date, gym, mac_address, minutes_in_gym) are one visit.
 * (Two visits of one device to one gym on one day of exactly the same length would count as one; the
 * table keeps no login time to tell them apart.) Rows are filtered and scoped before grouping.
 */
import type { ColumnarIndex } from '../data/columnar-index.ts';
import { periodStart, type Period } from './period.ts';
import { matchingRows, type RowQuery } from './row-query.ts';

export type GymGroupBy = 'GYM';

export interface GymUtilisationRow {
  gym: number | null;
  periodStart: number | null;
  visits: number;
  workouts: number;
  minutesInGym: number;
  minutesExercising: number;
  utilisation: number | null;
}

interface Accumulator {
  gym: number | null;
  period: number | null;
  visits: Set<string>;
  workouts: number;
  inGym: number;
  exercising: number;
}

/** Sums of 2-decimal minutes, back to 2 decimals (removes binary noise such as 65.00000000001). */
const minutes = (v: number) => Math.round(v * 100) / 100;

export function gymUtilisation(index: ColumnarIndex, query: RowQuery, groupBy: readonly GymGroupBy[], period: Period | null): GymUtilisationRow[] {
  const byGym = groupBy.includes('GYM');
  const accs = new Map<string, Accumulator>();
  if (index.numRows > 0) {
    const date = index.number('date');
    const gym = index.number('gym');
    const mac = index.string('mac_address');
    const inGym = index.number('minutes_in_gym');
    const exercising = index.number('minutes_exercising');
    for (const row of matchingRows(index, query)) {
      const g = byGym ? gym[row]! : null;
      const p = period ? periodStart(date[row]!, period) : null;
      const key = `${g}|${p}`;
      let acc = accs.get(key);
      if (!acc) accs.set(key, (acc = { gym: g, period: p, visits: new Set(), workouts: 0, inGym: 0, exercising: 0 }));
      const visit = `${date[row]}|${gym[row]}|${mac.codes[row]}|${inGym[row]}`;
      if (!acc.visits.has(visit)) {
        acc.visits.add(visit);
        acc.inGym += inGym[row]!;
      }
      acc.workouts++;
      acc.exercising += exercising[row]!;
    }
  }
  return [...accs.values()]
    .map((a) => ({
      gym: a.gym,
      periodStart: a.period,
      visits: a.visits.size,
      workouts: a.workouts,
      minutesInGym: minutes(a.inGym),
      minutesExercising: minutes(a.exercising),
      utilisation: a.inGym > 0 ? minutes(a.exercising) / minutes(a.inGym) : null,
    }))
    .sort((a, b) => (a.periodStart ?? Infinity) - (b.periodStart ?? Infinity) || (a.gym ?? 0) - (b.gym ?? 0));
}
