/**
 * Silver workout_bpm: every valid reading of a user's registered device with start_time < time <=
 * end_time of one of the user's completed workouts. Any of the three inputs may arrive last, so each is
 * a trigger: new readings join the known workouts, new workouts read the readings of their window, and a
 * newly registered user's device is joined with all of the user's workouts. What left an input (a
 * replaced reading, a re-paired or removed workout, a changed registration: see change-data.ts) takes
 * the rows it supported with it (deleteUnsupported).
 *
 * Readings are streamed file by file, column by column, and the output is merged in chunks (see
 * incremental-step.ts), so memory follows a chunk, not the number of readings. New readings (files added
 * since the checkpoint) are joined with every workout whose window overlaps their times (completed
 * workouts are read by time, so a cycle does not read the table's history); the windows of new workouts
 * then only need the older files whose statistics admit them, read once for all windows. No output key can come out twice: a reading is one
 * (device_id, time) of one live file, and each window belongs to one user.
 *
 * With worker threads, heart_rate files are decoded and joined there (joinReadingsFile), a few files
 * ahead, and taken back in file order: the rows are the same as joining them here.
 */
import { completedWorkouts, heartRate, users, workoutBpm, type CompletedWorkoutRow, type HeartRateRow } from '../../../schema/tables.ts';
import type { AddAction } from '../../table/log/index.ts';
import { columnOf, concatBatches, fromWire, type ColumnBatch } from '../../table/columns/index.ts';
import type { TargetTransaction } from '../target-transaction.ts';
import { fileMayMatch, dataFileBytes, statsOf, type Predicate } from '../../table/files/index.ts';
import { joinReadings, type WindowsOfDevice } from '../../kernels/readings-join.ts';
import type { WorkerPool } from '../../threads/pool.ts';
import type { UpstreamRange } from '../incremental.ts';
import { inOrder } from '../in-order.ts';
import { runIncremental, type ComputeOutput } from '../incremental-step.ts';
import { bounds, groupBy, keyOf, readNewRows, readRemovedRows, readTableRows, sameRow } from '../rows.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_workout_bpm';
/** Output rows per merged chunk (a setting so tests can cut a few rows into many chunks). */
export const workoutBpmTuning = { chunkRows: 500_000 };
const READING_COLUMNS = ['device_id', 'time', 'heartrate', 'valid'];
/** Rows per decoded slice of a heart_rate file. */
const SCAN_BATCH_ROWS = 65_536;

/** workout_bpm rows joined file by file, merged as one batch per chunk (columns of numbers are copied whole). */
class JoinedFiles {
  private parts: ColumnBatch[] = [];
  size = 0;
  recordsIn = 0;

  add(batch: ColumnBatch): void {
    if (batch.numRows === 0) return;
    this.parts.push(batch);
    this.size += batch.numRows;
  }

  output(): ComputeOutput<typeof workoutBpm> {
    const batch = concatBatches(
      workoutBpm.columns.map((c) => c.name),
      this.parts,
    );
    // Keys are unique by construction (see the module comment), so the merge need not index every row to check.
    return { batch, recordsIn: this.recordsIn, uniqueKeys: true };
  }
}

/**
 * The files' readings joined with the windows, file by file in order: decoded and joined on worker
 * threads a few files ahead when there are workers and the reading columns are all in the files (not
 * partition values), otherwise here.
 */
async function* joinFiles(threads: WorkerPool | undefined, readings: UpstreamRange<typeof heartRate>, files: readonly AddAction[], windows: WindowsOfDevice): AsyncGenerator<{ batch: ColumnBatch; recordsIn: number }> {
  const snapshot = readings.snapshot;
  const columns = READING_COLUMNS.map((name) => snapshot.columns.find((c) => c.name === name)!);
  const pool = READING_COLUMNS.some((name) => snapshot.partitionColumns.includes(name)) ? undefined : threads;
  if (!pool) {
    for (const add of files) {
      const out = await joinReadings(readings.table.scan({ snapshot, files: [add], columns: READING_COLUMNS, batchRows: SCAN_BATCH_ROWS }), windows);
      yield { batch: out.batch(), recordsIn: out.recordsIn };
    }
    return;
  }
  const join = (add: AddAction) => dataFileBytes(readings.table.store, snapshot, add).then((bytes) => pool.run('joinReadingsFile', { bytes, columns, windows }));
  for await (const joined of inOrder(files, 2 * pool.size, join)) yield { batch: fromWire(joined.rows), recordsIn: joined.recordsIn };
}

/** What left workout_bpm's inputs since the checkpoint (see change-data.ts), and the current windows. */
interface RemovedInput {
  /** Readings replaced or deleted in heart_rate: (device, time). */
  readings: readonly Pick<HeartRateRow, 'device_id' | 'time'>[];
  /** Sessions whose completed workout changed or went: their rows must lie in the current window. */
  sessions: ReadonlySet<string>;
  /** The windows those sessions had: their rows lie within them. */
  oldWindows: readonly Pick<CompletedWorkoutRow, 'start_time' | 'end_time'>[];
  /** Users whose registration changed or went: all their rows are joined again. */
  users: ReadonlySet<number>;
}

/**
 * Deletes the workout_bpm rows that what left the inputs supported: every row of a user whose
 * registration changed (the device may be another), the rows of a changed or removed session outside
 * its current window (an earlier stop shortens it, an earlier start moves it), and the rows of replaced
 * readings. What is still supported comes back with the merges that follow: the new readings' files hold
 * the replacements, and the sessions and users concerned are joined again with every reading. Committed
 * on its own, before the merges: a retry of the step finds nothing more to delete and merges the same rows.
 */
async function deleteUnsupported(target: TargetTransaction, removed: RemovedInput, windowOf: ReadonlyMap<string, CompletedWorkoutRow>, userOfDevice: ReadonlyMap<number, number>, now: () => number): Promise<void> {
  const readingsOfUser = new Map<number, Set<number>>();
  for (const r of removed.readings) {
    const user = userOfDevice.get(r.device_id);
    if (user === undefined) continue;
    let times = readingsOfUser.get(user);
    if (!times) readingsOfUser.set(user, (times = new Set()));
    times.add(r.time);
  }
  const sessionUsers = [...removed.sessions].map((key) => Number(key.split('\u0001')[0]));
  const userIds = [...new Set([...removed.users, ...readingsOfUser.keys(), ...sessionUsers])];
  if (userIds.length === 0) return;
  // Without a changed registration every row to delete lies within the old windows or at the replaced
  // readings' times: files of other times are not read (a file of each cycle holds most users).
  const where: Predicate[] = [{ column: 'user_id', op: 'in', values: userIds }];
  if (removed.users.size === 0) {
    const { min, max } = bounds([...removed.oldWindows.flatMap((w) => [w.start_time, w.end_time]), ...removed.readings.map((r) => r.time)]);
    where.push({ column: 'time', op: '>=', value: min }, { column: 'time', op: '<=', value: max });
  }
  await target.deleteRows({
    where,
    matches(batch, i) {
      const user = columnOf(workoutBpm, batch, 'user_id')[i]!;
      const workout = columnOf(workoutBpm, batch, 'workout_id')[i]!;
      const session = columnOf(workoutBpm, batch, 'session_id')[i]!;
      const time = columnOf(workoutBpm, batch, 'time')[i]!;
      if (removed.users.has(user)) return true;
      if (readingsOfUser.get(user)?.has(time)) return true;
      const key = `${user}\u0001${workout}\u0001${session}`;
      if (!removed.sessions.has(key)) return false;
      const w = windowOf.get(key);
      return w === undefined || !(w.start_time < time && time <= w.end_time);
    },
    now,
    operationParameters: { step: STEP, reason: 'inputs changed: replaced readings, changed workouts or registrations' },
  });
}

/** The times the readings of a range's new files lie within, from their statistics (undefined: some file has none). */
function timeRange(range: UpstreamRange<typeof heartRate>): { from: number; to: number } | undefined {
  let from = Infinity;
  let to = -Infinity;
  for (const add of range.files) {
    const stats = statsOf(add, range.snapshot.columns, range.snapshot.partitionColumns);
    const [min, max] = [stats.min.get('time'), stats.max.get('time')];
    if (typeof min !== 'number' || typeof max !== 'number') return undefined;
    [from, to] = [Math.min(from, min), Math.max(to, max)];
  }
  return { from, to };
}

/** Workouts whose window may hold a time of the range (every workout without one). */
function overlapping(times: { from: number; to: number } | undefined): Predicate[] {
  if (!times) return [];
  return [
    { column: 'end_time', op: '>=', value: times.from },
    { column: 'start_time', op: '<=', value: times.to },
  ];
}

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
      async *computeChunks({ ctx, target, ranges: [readings, workoutsRange, usersRange] }) {
        // New and changed completed workouts, and what left the three inputs: the rows it supported go first.
        const changedWorkouts = await readNewRows(workoutsRange);
        const allUsers = await readTableRows(usersRange, { columns: ['user_id', 'device_id'] });
        const userOfDevice = new Map(allUsers.map((u) => [u.device_id, u.user_id]));
        const deviceOfUser = new Map(allUsers.map((u) => [u.user_id, u.device_id]));
        // The current window of a changed session is among the new rows (a changed row is written anew).
        const windowOf = new Map(changedWorkouts.map((w) => [keyOf(w, completedWorkouts.primaryKey), w]));
        const removedUsers = new Set((await readRemovedRows(usersRange, { columns: ['user_id'] })).map((u) => u.user_id));
        // A session's rows can only have to go if its workout changed or went, which leaves a pre-image
        // (or a delete) among the removed rows; a new workout has no rows yet.
        const oldWindows = await readRemovedRows(workoutsRange, { columns: [...completedWorkouts.primaryKey, 'start_time', 'end_time'] });
        const removed: RemovedInput = {
          readings: await readRemovedRows(readings, { columns: ['device_id', 'time'] }),
          sessions: new Set(oldWindows.map((w) => keyOf(w, completedWorkouts.primaryKey))),
          oldWindows,
          users: removedUsers,
        };
        await deleteUnsupported(target, removed, windowOf, userOfDevice, ctx.now);
        let out = new JoinedFiles();

        // 1. New readings with the workouts known now whose windows overlap the new readings' times
        //    (completed_workouts read by time, not whole: its history is not read every cycle).
        const fresh = new Set<AddAction>(readings.files);
        const workoutsOfUser = groupBy(readings.files.length === 0 ? [] : await readTableRows(workoutsRange, { predicates: overlapping(timeRange(readings)) }), (w) => w.user_id);
        const windowsOfEveryDevice: WindowsOfDevice = new Map();
        for (const [device, user] of userOfDevice) {
          const ws = workoutsOfUser.get(user);
          if (ws) windowsOfEveryDevice.set(device, ws);
        }
        for await (const joined of joinFiles(ctx.threads, readings, readings.files, windowsOfEveryDevice)) {
          out.recordsIn += joined.recordsIn;
          out.add(joined.batch);
          ctx.progress?.({ records: out.recordsIn, detail: `${workoutBpm.name}: joining new readings` });
          if (out.size >= workoutBpmTuning.chunkRows) {
            yield out.output();
            out = new JoinedFiles();
          }
        }

        // 2. New workouts, and all workouts of newly registered users, with the readings of their windows
        //    in the older files (the new files were joined with every workout above).
        //    Users whose registration changed are among the new users (their new registration), or gone.
        const windows = new Map<string, CompletedWorkoutRow>();
        for (const w of changedWorkouts) windows.set(keyOf(w, completedWorkouts.primaryKey), w);
        const joinedAgain = new Set([...(await readNewRows(usersRange, { columns: ['user_id'] })).map((u) => u.user_id), ...removedUsers]);
        if (joinedAgain.size > 0) {
          for (const w of await readTableRows(workoutsRange, { predicates: [{ column: 'user_id', op: 'in', values: [...joinedAgain] }] })) windows.set(keyOf(w, completedWorkouts.primaryKey), w);
        }
        out.recordsIn += windows.size;
        const windowsOfDevice = new Map<number, CompletedWorkoutRow[]>();
        for (const w of windows.values()) {
          const device = deviceOfUser.get(w.user_id);
          if (device === undefined) continue;
          const list = windowsOfDevice.get(device);
          if (list) list.push(w);
          else windowsOfDevice.set(device, [w]);
        }
        if (windowsOfDevice.size > 0) {
          const snapshot = readings.snapshot;
          const older: AddAction[] = [];
          for (const add of snapshot.files.values()) {
            if (fresh.has(add)) continue;
            // A file is read when its statistics admit a reading inside some window.
            const admits = [...windowsOfDevice].some(([device, ws]) =>
              ws.some((w) =>
                fileMayMatch(add, snapshot.columns, snapshot.partitionColumns, [
                  { column: 'device_id', op: '=', value: device },
                  { column: 'time', op: '>', value: w.start_time },
                  { column: 'time', op: '<=', value: w.end_time },
                ]),
              ),
            );
            if (admits) older.push(add);
          }
          for await (const joined of joinFiles(ctx.threads, readings, older, windowsOfDevice)) {
            out.add(joined.batch);
            ctx.progress?.({ records: out.recordsIn, detail: `${workoutBpm.name}: reading the windows of new workouts` });
            if (out.size >= workoutBpmTuning.chunkRows) {
              yield out.output();
              out = new JoinedFiles();
            }
          }
        }
        yield { ...out.output(), final: true };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
