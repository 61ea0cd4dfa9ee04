import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gymSummary, workoutBpmSummary } from '../../schema/tables.ts';
import type { Cell, TableDef } from '../../schema/types.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { parseDate, parseTimestamp } from '../../lakehouse/time.ts';
import { ColumnarIndexBuilder, type ColumnarIndex } from '../../api/data/columnar-index.ts';
import { indexSpecOf } from '../../api/data/load-index.ts';
import { gymUtilisation } from '../../api/query/gym-utilisation.ts';
import { periodStart } from '../../api/query/period.ts';
import { workoutRowQuery } from '../../api/query/workout-filter.ts';
import { workoutStats } from '../../api/query/workout-stats.ts';

function indexOf(def: TableDef, rows: Record<string, Cell>[]): ColumnarIndex {
  const builder = new ColumnarIndexBuilder(indexSpecOf(def));
  builder.add(batchFromRows(def.columns, rows));
  return builder.finish(1);
}

const analyst = { role: 'analyst', subject: undefined } as const;
const w = (user_id: number, workout_id: number, gender: string | null, city: string, avg: number, n: number, min: number, max: number) => ({
  workout_id, session_id: 1, user_id, age: '25-35', gender, city, state: 'CA', min_bpm: min, avg_bpm: avg, max_bpm: max, num_recordings: n,
});

describe('workoutStats', () => {
  const index = indexOf(workoutBpmSummary, [
    w(1, 1, 'F', 'Malibu', 100, 3000, 70, 150),
    w(1, 2, 'F', 'Malibu', 160, 1000, 90, 190),
    w(2, 1, 'M', 'Malibu', 120, 600, 80, 170),
    w(3, 1, null, 'Pasadena', 110, 1200, 75, 160),
  ]);
  const start = (iso: string) => parseTimestamp(iso);
  // Workout starts: Saturday 2023-03-11 and Sunday 2023-03-12 (a new Sunday-started week); user 3 has none.
  const times = { start: new Float64Array([start('2023-03-11T08:00:00Z'), start('2023-03-12T23:59:59Z'), start('2023-03-11T10:00:00Z'), NaN]), end: new Float64Array(4) };

  it('weights avgBpm by num_recordings: the mean of all readings of the group', () => {
    const [all] = workoutStats(index, workoutRowQuery({}, analyst), [], null);
    assert.equal(all!.workouts, 4);
    assert.equal(all!.recordings, 5800);
    assert.equal(all!.avgBpm, (100 * 3000 + 160 * 1000 + 120 * 600 + 110 * 1200) / 5800);
    assert.equal(all!.minBpm, 70);
    assert.equal(all!.maxBpm, 190);
    const byGender = workoutStats(index, workoutRowQuery({}, analyst), ['GENDER'], null);
    assert.deepEqual(byGender.map((r) => [r.gender, r.workouts, r.avgBpm]), [['F', 2, 115], ['M', 1, 120], [null, 1, 110]]);
    assert.ok(byGender.every((r) => r.city === null && r.ageBin === null && r.periodStart === null));
  });

  it('groups by the day or the Sunday-started week of the start, unknown starts apart', () => {
    const days = workoutStats(index, workoutRowQuery({}, analyst), ['CITY'], 'DAY', times);
    assert.deepEqual(days.map((r) => [r.periodStart, r.city, r.workouts]), [[parseDate('2023-03-11'), 'Malibu', 2], [parseDate('2023-03-12'), 'Malibu', 1], [null, 'Pasadena', 1]]);
    const weeks = workoutStats(index, workoutRowQuery({}, analyst), [], 'WEEK', times);
    assert.deepEqual(weeks.map((r) => [r.periodStart, r.workouts]), [[parseDate('2023-03-05'), 2], [parseDate('2023-03-12'), 1], [null, 1]]);
    assert.equal(periodStart(parseDate('2023-03-12'), 'WEEK'), parseDate('2023-03-12'));
    assert.equal(periodStart(parseDate('2023-03-18'), 'WEEK'), parseDate('2023-03-12'));
  });

  it('filters (and scopes) before grouping: a user only counts its own workouts', () => {
    const mine = workoutStats(index, workoutRowQuery({}, { role: 'user', userId: 1 }), ['CITY'], null);
    assert.deepEqual(mine.map((r) => [r.city, r.workouts, r.recordings]), [['Malibu', 2, 4000]]);
    assert.deepEqual(workoutStats(index, workoutRowQuery({ userId: 2 }, { role: 'user', userId: 1 }), [], null), []);
  });
});

describe('gymUtilisation', () => {
  const g = (date: string, gym: number, mac: string, workout: number, inGym: number, exercising: number) => ({
    date: parseDate(date), gym, mac_address: mac, workout_id: workout, session_id: 1, minutes_in_gym: inGym, minutes_exercising: exercising,
  });
  const index = indexOf(gymSummary, [
    g('2023-03-11', 1, 'aa', 1, 90, 40), // one visit of aa with two workouts: its 90 minutes count once
    g('2023-03-11', 1, 'aa', 2, 90, 30.1),
    g('2023-03-11', 1, 'bb', 1, 60, 45.2),
    g('2023-03-12', 1, 'aa', 3, 30, 20),
    g('2023-03-12', 2, 'bb', 2, 50, 25),
  ]);

  it('counts a visit once, sums exercise per workout, and divides', () => {
    const rows = gymUtilisation(index, { equals: [], ranges: [] }, ['GYM'], 'DAY');
    assert.deepEqual(rows, [
      { gym: 1, periodStart: parseDate('2023-03-11'), visits: 2, workouts: 3, minutesInGym: 150, minutesExercising: 115.3, utilisation: 115.3 / 150 },
      { gym: 1, periodStart: parseDate('2023-03-12'), visits: 1, workouts: 1, minutesInGym: 30, minutesExercising: 20, utilisation: 20 / 30 },
      { gym: 2, periodStart: parseDate('2023-03-12'), visits: 1, workouts: 1, minutesInGym: 50, minutesExercising: 25, utilisation: 0.5 },
    ]);
    const total = gymUtilisation(index, { equals: [], ranges: [] }, [], null);
    assert.deepEqual(total.map((r) => [r.gym, r.visits, r.minutesInGym, r.minutesExercising]), [[null, 4, 230, 160.3]]);
    const onlyBb = gymUtilisation(index, { equals: [{ column: 'mac_address', value: 'bb' }], ranges: [] }, ['GYM'], null);
    assert.deepEqual(onlyBb.map((r) => [r.gym, r.visits]), [[1, 1], [2, 1]]);
  });
});
