/**
 * A cycle reads what its new data touched, not the history (issue 20, item 5): with a fixed amount of
 * new rows per cycle, the gold steps and silver workout_bpm read about the same bytes in the fortieth cycle as in the fourth
 * (on the old code: every file, because each cycle's file holds every user and MAC address, so
 * predicates on them prune none). The summaries stay those of one run over the same rows, also after
 * changes that move, add and remove rows of old cycles.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { completedWorkouts, gymLogs, gymSummary, heartRate, userBins, users, workoutBpm, workoutBpmSummary, workouts, type CompletedWorkoutRow, type GymLogRow, type HeartRateRow, type UserBinRow, type UserRow, type WorkoutBpmRow, type WorkoutRow } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import { goldGymSummary } from '../../lakehouse/steps/gold/gym-summary.ts';
import { goldWorkoutBpmSummary } from '../../lakehouse/steps/gold/workout-bpm-summary.ts';
import { silverWorkoutBpm } from '../../lakehouse/steps/silver/workout-bpm.ts';
import { silverCompletedWorkouts } from '../../lakehouse/steps/silver/completed-workouts.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import type { Step, StepContext } from '../../lakehouse/steps/step.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { MICROS_PER_SECOND, StoreWrapper, T0 } from '../support/delta-helpers.ts';

const USERS = 12;
const READINGS = 40;
const HOUR = 3600 * MICROS_PER_SECOND;

/** Counts the bytes read from data files (not the log), by table folder. */
class DataBytesStore extends StoreWrapper {
  readonly bytes = new Map<string, number>();
  private count(key: string, data: Uint8Array): Uint8Array {
    if (!key.includes('/_delta_log/')) {
      const table = key.split('/').slice(0, 2).join('/');
      this.bytes.set(table, (this.bytes.get(table) ?? 0) + data.length);
    }
    return data;
  }
  override async get(key: string): Promise<Uint8Array> {
    return this.count(key, await this.inner.get(key));
  }
  override async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    return this.count(key, await this.inner.getRange(key, offset, length));
  }
}

/**
 * Cycle c's new rows: one workout per user, starting c hours after T0; in every tenth cycle, a late
 * reading of one user's workout before. As in the real data, keys do not follow time: workout ids are
 * 1-3 and each user counts their own sessions, so a file's key statistics span every key.
 */
function cycleRows(c: number): WorkoutBpmRow[] {
  const rows: WorkoutBpmRow[] = [];
  for (let u = 1; u <= USERS; u++) {
    const start = T0 + c * HOUR;
    for (let k = 1; k <= READINGS; k++) {
      rows.push({ user_id: u, workout_id: 1 + (c % 3), session_id: u * 1000 + c, start_time: start, end_time: start + HOUR / 2, time: start + k * MICROS_PER_SECOND, heartrate: 60 + ((u * 7 + k * 3 + c) % 90) + 0.1 });
    }
    if (c % 10 === 5 && u === 3) {
      const before = T0 + (c - 1) * HOUR;
      rows.push({ user_id: u, workout_id: 1 + ((c - 1) % 3), session_id: u * 1000 + c - 1, start_time: before, end_time: before + HOUR / 2, time: before + 1000 * MICROS_PER_SECOND, heartrate: 151.3 });
    }
  }
  return rows;
}

function binsOf(u: number, gender: string): UserBinRow {
  return { user_id: u, age: '25-34', gender, city: 'Oslo', state: 'NO', dob: 7_000 + u };
}

async function newLake(t: { after: (fn: () => Promise<void>) => void }): Promise<{ lake: Lake; ctx: StepContext; store: DataBytesStore }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-gold-reads-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new DataBytesStore(new LocalObjectStore(dir));
  const lake = new Lake(store);
  return { lake, ctx: { lake, now: () => T0 / 1000 }, store };
}

async function summaries(lake: Lake): Promise<string[]> {
  return (await (await lake.table(workoutBpmSummary)).rows()).map((r) => JSON.stringify(r)).sort();
}

describe('gold workout_bpm_summary reads in proportion to new data', () => {
  it('reads flat bytes of workout_bpm per cycle as history grows tenfold, with the summaries of one run over all rows', async (t) => {
    const CYCLES = 40;
    const { lake, ctx, store } = await newLake(t);
    await (await lake.table(userBins)).append(batchFromRows(userBins.columns, Array.from({ length: USERS }, (_, i) => binsOf(i + 1, 'F'))));
    const bytesOfCycle: Map<string, number>[] = [];
    for (let c = 0; c < CYCLES; c++) {
      await (await lake.table(workoutBpm)).append(batchFromRows(workoutBpm.columns, cycleRows(c)));
      store.bytes.clear();
      await goldWorkoutBpmSummary.run(ctx);
      bytesOfCycle.push(new Map(store.bytes));
    }
    // Cycles 4 and 40 bring new workouts only: the same bytes of workout_bpm, and no summary file is
    // read, as every group is new (the old code read every file of both tables).
    const bpmBytes = bytesOfCycle.map((b) => b.get('silver/workout_bpm') ?? 0);
    const summaryBytes = bytesOfCycle.map((b) => b.get('gold/workout_bpm_summary') ?? 0);
    t.diagnostic(`bytes read by gold in cycles 4 and ${CYCLES}: workout_bpm ${bpmBytes[3]} and ${bpmBytes[CYCLES - 1]}, workout_bpm_summary ${summaryBytes[3]} and ${summaryBytes[CYCLES - 1]}; with a late reading (cycle ${CYCLES - 4}): ${bpmBytes[CYCLES - 5]} and ${summaryBytes[CYCLES - 5]}`);
    assert.ok(bpmBytes[3]! > 0);
    assert.ok(bpmBytes[CYCLES - 1]! <= bpmBytes[3]! * 1.2, `workout_bpm: cycle ${CYCLES} read ${bpmBytes[CYCLES - 1]} bytes, cycle 4 ${bpmBytes[3]}`);
    assert.equal(summaryBytes[3], 0);
    assert.equal(summaryBytes[CYCLES - 1], 0);
    // A late reading updates a stored summary: it is looked up (statistics prune what they can).
    assert.ok(summaryBytes[CYCLES - 5]! > 0);

    // The same rows at once, summarized in one run.
    const once = await newLake(t);
    await (await once.lake.table(userBins)).append(batchFromRows(userBins.columns, Array.from({ length: USERS }, (_, i) => binsOf(i + 1, 'F'))));
    for (let c = 0; c < CYCLES; c++) await (await once.lake.table(workoutBpm)).append(batchFromRows(workoutBpm.columns, cycleRows(c)));
    await goldWorkoutBpmSummary.run(once.ctx);
    const expected = await summaries(once.lake);
    assert.equal(expected.length, USERS * CYCLES);
    assert.deepEqual(await summaries(lake), expected);

    // A user's demographics change: every workout of theirs, in every cycle's file, gets the new ones.
    await (await lake.table(userBins)).merge(batchFromRows(userBins.columns, [binsOf(5, 'M')]), { key: userBins.primaryKey, whenMatched: (_target, source) => source });
    await goldWorkoutBpmSummary.run(ctx);
    const ofUser5 = (await (await lake.table(workoutBpmSummary)).rows()).filter((r) => r['user_id'] === 5);
    assert.equal(ofUser5.length, CYCLES);
    assert.ok(ofUser5.every((r) => r['gender'] === 'M'));
  });
});

const DAY = 86_400 * MICROS_PER_SECOND;
const MACS = 6;
const userOf = (m: number): UserRow => ({ user_id: m, device_id: 500 + m, mac_address: `mac-${m}`, registration_timestamp: T0 });
/** Day c: every MAC address visits gym 1 from 10:00 to 12:00, its user works out from 10:30 to 11:30. */
function visitOf(m: number, c: number): GymLogRow {
  return { mac_address: `mac-${m}`, gym: 1, login: T0 + c * DAY + 10 * HOUR, logout: T0 + c * DAY + 12 * HOUR };
}
function workoutOf(m: number, c: number, start = T0 + c * DAY + 10.5 * HOUR): CompletedWorkoutRow {
  return { user_id: m, workout_id: 1 + (c % 3), session_id: m * 1000 + c, start_time: start, end_time: start + HOUR };
}

async function put<T extends TableDef>(lake: Lake, def: T, rows: readonly Record<string, unknown>[], update = false): Promise<void> {
  const table = await lake.table(def);
  const batch = batchFromRows(def.columns, rows as never);
  if (update) await table.merge(batch, { key: def.primaryKey, whenMatched: (_t, source) => source });
  else await table.append(batch);
}

async function lines(lake: Lake, def: TableDef): Promise<string[]> {
  return (await (await lake.table(def)).rows()).map((r) => JSON.stringify(r)).sort();
}

/**
 * Runs `step` after `land(c)` for cycles 0..cycles-1 and asserts that each of `tables` was read about as
 * much in the last cycle as in the fourth (within 20% and 2 KiB).
 */
async function assertFlatReads(t: TestContext, cycles: number, tables: readonly string[], step: Step, ctx: StepContext, store: DataBytesStore, land: (c: number) => Promise<void>): Promise<void> {
  const bytesOfCycle: Map<string, number>[] = [];
  for (let c = 0; c < cycles; c++) {
    await land(c);
    store.bytes.clear();
    await step.run(ctx);
    bytesOfCycle.push(new Map(store.bytes));
  }
  for (const table of tables) {
    const [early, late] = [bytesOfCycle[3]!.get(table) ?? 0, bytesOfCycle[cycles - 1]!.get(table) ?? 0];
    t.diagnostic(`${table} bytes read by ${step.name}: cycle 4 ${early}, cycle ${cycles} ${late}`);
    assert.ok(late <= early * 1.2 + 2048, `${table}: cycle ${cycles} read ${late} bytes, cycle 4 ${early}`);
  }
}

describe('gold gym_summary reads in proportion to new data', () => {
  it('reads flat bytes of visits, workouts and summaries per cycle, and equals one run after moved, extended and re-registered rows', async (t) => {
    const CYCLES = 40;
    const { lake, ctx, store } = await newLake(t);
    await put(lake, users, Array.from({ length: MACS }, (_, i) => userOf(i + 1)));
    await assertFlatReads(t, CYCLES, ['silver/gym_logs', 'silver/completed_workouts', 'gold/gym_summary'], goldGymSummary, ctx, store, async (c) => {
        await put(lake, gymLogs, Array.from({ length: MACS }, (_, i) => visitOf(i + 1, c)));
        await put(lake, completedWorkouts, Array.from({ length: MACS }, (_, i) => workoutOf(i + 1, c)));
    });
    assert.equal((await lines(lake, gymSummary)).length, MACS * CYCLES);

    // Old days change, one change a run, each run's table equal to one run over the same silver tables:
    // a workout of day 10 moves out of its visit; a workout begins after a visit of day 20, which is then
    // extended to hold it; user 4 registers another MAC address.
    const assertOneRun = async (what: string) => {
      const once = await newLake(t);
      for (const def of [users, gymLogs, completedWorkouts]) await put(once.lake, def, await (await lake.table(def)).rows());
      await goldGymSummary.run(once.ctx);
      const expected = await lines(once.lake, gymSummary);
      assert.deepEqual(await lines(lake, gymSummary), expected, what);
      return expected;
    };
    await put(lake, completedWorkouts, [workoutOf(2, 10, T0 + 10 * DAY + 13 * HOUR)], true);
    await goldGymSummary.run(ctx);
    assert.equal((await assertOneRun('moved out')).length, MACS * CYCLES - 1);
    await put(lake, completedWorkouts, [{ ...workoutOf(3, 20, T0 + 20 * DAY + 12.5 * HOUR), session_id: 99_999 }]);
    await goldGymSummary.run(ctx);
    await assertOneRun('a workout after the logout');
    await put(lake, gymLogs, [{ ...visitOf(3, 20), logout: T0 + 20 * DAY + 14 * HOUR }], true);
    await goldGymSummary.run(ctx);
    const extended = await assertOneRun('extended');
    assert.ok(extended.some((r) => r.includes('"session_id":99999')));
    await put(lake, users, [{ ...userOf(4), mac_address: 'mac-9' }], true);
    await goldGymSummary.run(ctx);
    // User 4's rows are gone with its old MAC address (mac-9 has no visits).
    assert.equal((await assertOneRun('re-registered')).length, MACS * CYCLES - 1 + 1 - CYCLES);
  });
});

describe('silver workout_bpm reads in proportion to new data', () => {
  it('reads flat bytes of its own table and of completed_workouts per cycle, and equals one run after a workout is shortened', async (t) => {
    const CYCLES = 40;
    const { lake, ctx, store } = await newLake(t);
    await put(lake, users, Array.from({ length: MACS }, (_, i) => userOf(i + 1)));
    // Day c: each device reads once a minute from 10:00 to 12:00; its user works out 10:30-11:30.
    const readingsOf = (m: number, c: number): HeartRateRow[] => Array.from({ length: 120 }, (_, k) => ({ device_id: 500 + m, time: T0 + c * DAY + 10 * HOUR + k * 60 * MICROS_PER_SECOND, heartrate: 90 + ((m + k + c) % 50), valid: true }));
    await assertFlatReads(t, CYCLES, ['silver/workout_bpm', 'silver/completed_workouts', 'silver/heart_rate'], silverWorkoutBpm, ctx, store, async (c) => {
        await put(lake, heartRate, Array.from({ length: MACS }, (_, i) => readingsOf(i + 1, c)).flat());
        await put(lake, completedWorkouts, Array.from({ length: MACS }, (_, i) => workoutOf(i + 1, c)));
    });
    // A late stop shortens day 12's workout of user 2: its readings after 11:00 leave workout_bpm.
    await put(lake, completedWorkouts, [{ ...workoutOf(2, 12), end_time: T0 + 12 * DAY + 11 * HOUR }], true);
    await silverWorkoutBpm.run(ctx);
    const once = await newLake(t);
    for (const def of [users, heartRate, completedWorkouts]) await put(once.lake, def, await (await lake.table(def)).rows());
    await silverWorkoutBpm.run(once.ctx);
    const expected = await lines(once.lake, workoutBpm);
    assert.deepEqual(await lines(lake, workoutBpm), expected);
    // 60 readings per workout (10:31 to 11:30, the end included), 30 for the shortened one.
    assert.equal(expected.length, MACS * CYCLES * 60 - 30);
  });
});


/** Cycle c's workout events: a start and a stop per user; in cycles 5, 15 and 25 also an earlier start of user 3's session of five cycles before. */
function eventsOf(c: number): WorkoutRow[] {
  const rows: WorkoutRow[] = [];
  for (let u = 1; u <= USERS; u++) {
    const start = T0 + c * HOUR;
    rows.push({ user_id: u, workout_id: 1 + (c % 3), time: start, action: 'start', session_id: u * 1000 + c });
    rows.push({ user_id: u, workout_id: 1 + (c % 3), time: start + HOUR / 2, action: 'stop', session_id: u * 1000 + c });
  }
  if (c % 10 === 5) rows.push({ user_id: 3, workout_id: 1 + ((c - 5) % 3), time: T0 + (c - 5) * HOUR - 60 * MICROS_PER_SECOND, action: 'start', session_id: 3000 + c - 5 });
  return rows;
}

describe('silver completed_workouts reads in proportion to new data', () => {
  it('a cycle of new sessions reads none of the table, whatever its size; an earlier start re-pairs its old session; the rows of one run', async (t) => {
    const CYCLES = 30;
    const { lake, ctx, store } = await newLake(t);
    const bytes: number[] = [];
    for (let c = 0; c < CYCLES; c++) {
      await put(lake, workouts, eventsOf(c));
      store.bytes.clear();
      await silverCompletedWorkouts.run(ctx);
      bytes.push(store.bytes.get('silver/completed_workouts') ?? 0);
    }
    t.diagnostic(`bytes of completed_workouts read in cycles 4, ${CYCLES}, and 26 (an earlier start): ${bytes[3]}, ${bytes[CYCLES - 1]}, ${bytes[25]}`);
    // New sessions only: nothing of the table is read (the old code read every row of the users).
    assert.equal(bytes[3], 0);
    assert.equal(bytes[CYCLES - 1], 0);
    // An earlier start of a paired session: its row is looked up and replaced.
    assert.ok(bytes[25]! > 0);

    const once = await newLake(t);
    for (let c = 0; c < CYCLES; c++) await put(once.lake, workouts, eventsOf(c));
    await silverCompletedWorkouts.run(once.ctx);
    const rowsOf = async (l: Lake) => (await (await l.table(completedWorkouts)).rows()).map((r) => JSON.stringify(r)).sort();
    const expected = await rowsOf(once.lake);
    assert.equal(expected.length, USERS * CYCLES);
    assert.deepEqual(await rowsOf(lake), expected);
    const moved = (await (await lake.table(completedWorkouts)).rows()).find((r) => r['session_id'] === 3020);
    assert.equal(moved?.['start_time'], T0 + 20 * HOUR - 60 * MICROS_PER_SECOND, 'the earlier start decides');
  });
});
