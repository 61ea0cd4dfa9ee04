import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphQLError } from 'graphql';
import { gymSummary, users, completedWorkouts, workoutBpmSummary } from '../../schema/tables.ts';
import type { Cell, TableDef } from '../../schema/types.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { ColumnarIndexBuilder, compareValues, type ColumnarIndex, type IndexValue } from '../../api/data/columnar-index.ts';
import { indexSpecOf } from '../../api/data/load-index.ts';
import { gymRowQuery } from '../../api/query/gym-filter.ts';
import { pageSize } from '../../api/query/page-size.ts';
import { countRows, matchingRows, NO_ROWS, type RowQuery } from '../../api/query/row-query.ts';
import { selectPage } from '../../api/query/select-page.ts';
import { WORKOUT_SORT_COLUMNS, workoutRowQuery, type WorkoutFilterInput } from '../../api/query/workout-filter.ts';

function indexOf(def: TableDef, rows: Record<string, Cell>[], batches = 3): ColumnarIndex {
  const builder = new ColumnarIndexBuilder(indexSpecOf(def));
  const size = Math.ceil(rows.length / batches);
  for (let i = 0; i < rows.length; i += size) builder.add(batchFromRows(def.columns, rows.slice(i, i + size)));
  return builder.finish(1);
}

/** A small deterministic pseudo-random generator. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4_294_967_296;
  };
}

const r = random(7);
const pick = <T>(values: readonly T[]) => values[Math.floor(r() * values.length)]!;
/** 600 summaries of 60 users, in shuffled order, with ties on purpose (few distinct bpm values). */
const WORKOUTS: Record<string, Cell>[] = [];
for (let u = 0; u < 60; u++) {
  for (let w = 1; w <= 10; w++) {
    const avg = pick([100, 110, 120, 130]);
    WORKOUTS.push({
      workout_id: w,
      session_id: pick([1, 2]),
      user_id: 5000 + u,
      age: pick(['18-25', '25-35', '35-45']),
      gender: pick(['F', 'M', null]),
      city: pick(['Pasadena', 'Long Beach', 'Malibu', null]),
      state: pick(['CA', 'NV']),
      min_bpm: avg - pick([10, 20]),
      avg_bpm: avg,
      max_bpm: avg + pick([30, 40]),
      num_recordings: pick([600, 1200, 1800]),
    });
  }
}
WORKOUTS.sort(() => r() - 0.5);
const index = indexOf(workoutBpmSummary, WORKOUTS);
const analyst = { role: 'analyst', subject: undefined } as const;

/** The rows a query must return, in order, computed the slow obvious way. */
function expected(filter: WorkoutFilterInput, field: keyof typeof WORKOUT_SORT_COLUMNS, descending: boolean): Record<string, Cell>[] {
  const ok = (row: Record<string, Cell>) =>
    (filter.userId == null || row.user_id === filter.userId) &&
    (filter.gender == null || row.gender === filter.gender) &&
    (filter.city == null || row.city === filter.city) &&
    (filter.sessionId == null || row.session_id === filter.sessionId) &&
    (filter.avgBpm?.gte == null || (row.avg_bpm as number) >= filter.avgBpm.gte) &&
    (filter.avgBpm?.lt == null || (row.avg_bpm as number) < filter.avgBpm.lt);
  const column = WORKOUT_SORT_COLUMNS[field];
  const key = (row: Record<string, Cell>) => [row.user_id, row.workout_id, row.session_id] as IndexValue[];
  return WORKOUTS.filter(ok).sort((a, b) => {
    let c = column === null ? 0 : compareValues(a[column] as number, b[column] as number);
    for (let i = 0; c === 0 && i < 3; i++) c = compareValues(key(a)[i]!, key(b)[i]!);
    return descending ? -c : c;
  });
}

/** Every page of a query, walked with cursors. */
function walk(query: RowQuery, field: keyof typeof WORKOUT_SORT_COLUMNS, descending: boolean, first: number): { rows: number[]; totals: Set<number> } {
  const sortColumn = WORKOUT_SORT_COLUMNS[field];
  const out: number[] = [];
  const totals = new Set<number>();
  let after;
  for (let pages = 0; pages < 1000; pages++) {
    const page = selectPage(index, query, { sortColumn, descending, first, after });
    totals.add(page.totalCount());
    out.push(...page.rows);
    if (!page.hasNextPage) return { rows: out, totals };
    const last = page.rows[page.rows.length - 1]!;
    after = { value: sortColumn === null ? null : index.value(sortColumn, last), key: index.keyOf(last) };
  }
  throw new Error('pages never ended');
}

describe('workout filters and pages', () => {
  const filters: WorkoutFilterInput[] = [{}, { gender: 'F' }, { city: 'Malibu', gender: 'M' }, { userId: 5007 }, { avgBpm: { gte: 110, lt: 130 } }, { city: 'Pasadena', sessionId: 2, avgBpm: { gte: 120 } }, { gender: 'X' }];
  for (const filter of filters) {
    for (const field of ['KEY', 'AVG_BPM', 'NUM_RECORDINGS', 'MAX_BPM'] as const) {
      for (const descending of [false, true]) {
        it(`walk ${JSON.stringify(filter)} by ${field} ${descending ? 'desc' : 'asc'} in pages of 7: every row once, in order`, () => {
          const want = expected(filter, field, descending);
          const { rows, totals } = walk(workoutRowQuery(filter, analyst), field, descending, 7);
          assert.deepEqual(rows.map((row) => index.keyOf(row).join('/')), want.map((row) => `${row.user_id}/${row.workout_id}/${row.session_id}`));
          assert.deepEqual([...totals], [want.length]);
        });
      }
    }
  }

  it('continue after a cursor whose row no longer exists, at the place it would have been', () => {
    const query = workoutRowQuery({}, analyst);
    const page = selectPage(index, query, { sortColumn: 'avg_bpm', descending: false, first: 5, after: { value: 115, key: [0, 0, 0] } });
    assert.ok(page.rows.every((row) => (index.value('avg_bpm', row) as number) >= 120));
    assert.equal(page.rows.length, 5);
  });

  it('scope a user token to its own rows, and answer nothing when it asks for another user', () => {
    const user = { role: 'user', userId: 5003 } as const;
    assert.deepEqual(workoutRowQuery({}, user).equals, [{ column: 'user_id', value: 5003 }]);
    assert.equal(workoutRowQuery({ userId: 5004 }, user), NO_ROWS);
    assert.equal(countRows(index, workoutRowQuery({}, user)), 10);
    assert.deepEqual(selectPage(index, NO_ROWS, { sortColumn: null, descending: false, first: 10 }).rows, []);
    assert.ok(matchingRows(index, workoutRowQuery({ gender: 'F' }, user)).every((row) => index.value('user_id', row) === 5003));
  });

  it('refuse inverted ranges and page sizes outside 0..500', () => {
    assert.throws(() => workoutRowQuery({ avgBpm: { gte: 130, lte: 120 } }, analyst), (e: unknown) => e instanceof GraphQLError && e.extensions.code === 'BAD_USER_INPUT');
    assert.equal(pageSize(undefined), 50);
    assert.equal(pageSize(500), 500);
    assert.equal(pageSize(0), 0);
    for (const bad of [501, -1, 2.5]) assert.throws(() => pageSize(bad), (e: unknown) => e instanceof GraphQLError && e.extensions.code === 'BAD_USER_INPUT');
  });
});

describe('gym filters', () => {
  const gyms = indexOf(gymSummary, [
    { date: 100, gym: 1, mac_address: 'aa', workout_id: 1, session_id: 1, minutes_in_gym: 60, minutes_exercising: 50 },
    { date: 101, gym: 2, mac_address: 'aa', workout_id: 2, session_id: 1, minutes_in_gym: 60, minutes_exercising: 50 },
    { date: 101, gym: 1, mac_address: 'bb', workout_id: 1, session_id: 1, minutes_in_gym: 30, minutes_exercising: 20 },
    { date: 102, gym: 1, mac_address: 'cc', workout_id: 1, session_id: 1, minutes_in_gym: 40, minutes_exercising: 30 },
    { date: 102, gym: 1, mac_address: 'cc', workout_id: 7, session_id: 1, minutes_in_gym: 40, minutes_exercising: 35 },
  ]);
  // Users 1 and 2 share device cc (a handed-on watch): each sees only its own workouts on it.
  const tables = {
    users: indexOf(users, [
      { user_id: 1, device_id: 11, mac_address: 'aa', registration_timestamp: 0 },
      { user_id: 2, device_id: 12, mac_address: 'bb', registration_timestamp: 0 },
      { user_id: 3, device_id: 13, mac_address: 'cc', registration_timestamp: 0 },
      { user_id: 4, device_id: 13, mac_address: 'cc', registration_timestamp: 0 },
    ]),
    completed: indexOf(completedWorkouts, [
      { user_id: 3, workout_id: 1, session_id: 1, start_time: 0, end_time: 1 },
      { user_id: 4, workout_id: 7, session_id: 1, start_time: 0, end_time: 1 },
    ]),
  };
  const analyst = { role: 'analyst', subject: undefined } as const;
  const macs = (q: RowQuery) => matchingRows(gyms, q).map((row) => `${gyms.value('mac_address', row)}@${gyms.value('date', row)}#${gyms.value('workout_id', row)}`);

  it('filter by date range (inclusive), gym, MAC and user (through its registration)', () => {
    assert.deepEqual(macs(gymRowQuery({ dateFrom: 101 }, analyst, tables, gyms)), ['aa@101#2', 'bb@101#1', 'cc@102#1', 'cc@102#7']);
    assert.deepEqual(macs(gymRowQuery({ dateFrom: 101, dateTo: 101 }, analyst, tables, gyms)), ['aa@101#2', 'bb@101#1']);
    assert.deepEqual(macs(gymRowQuery({ gym: 2 }, analyst, tables, gyms)), ['aa@101#2']);
    assert.deepEqual(macs(gymRowQuery({ macAddress: 'bb' }, analyst, tables, gyms)), ['bb@101#1']);
    assert.deepEqual(macs(gymRowQuery({ userId: 1 }, analyst, tables, gyms)), ['aa@100#1', 'aa@101#2']);
    assert.deepEqual(macs(gymRowQuery({ userId: 99 }, analyst, tables, gyms)), []);
    assert.throws(() => gymRowQuery({ dateFrom: 102, dateTo: 101 }, analyst, tables, gyms), /dateFrom is after dateTo/);
  });

  it("give a user token its device's rows only, narrowed to its own workouts on a shared device", () => {
    assert.deepEqual(macs(gymRowQuery({}, { role: 'user', userId: 2 }, tables, gyms)), ['bb@101#1']);
    assert.deepEqual(macs(gymRowQuery({}, { role: 'user', userId: 3 }, tables, gyms)), ['cc@102#1']);
    assert.deepEqual(macs(gymRowQuery({}, { role: 'user', userId: 4 }, tables, gyms)), ['cc@102#7']);
    assert.equal(gymRowQuery({ userId: 1 }, { role: 'user', userId: 2 }, tables, gyms), NO_ROWS);
    assert.deepEqual(macs(gymRowQuery({ macAddress: 'aa' }, { role: 'user', userId: 2 }, tables, gyms)), []);
  });
});
