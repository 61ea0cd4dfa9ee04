/**
 * Gold workout_bpm_summary: workout_bpm grouped by (user_id, workout_id, session_id) with the user's
 * demographics; the age bin is the age on the workout's start date, so it never drifts. Only the groups
 * touched by workout_bpm rows that arrived or left (change-data.ts) and the groups of users whose
 * demographics changed are recomputed (a group left without readings or demographics loses its
 * summary), each from all of its rows, which are
 * streamed column by column into running aggregates (in scan order, so the sums are those summarize
 * would compute over the same rows).
 */
import { userBins, workoutBpm, workoutBpmSummary, type UserBinRow, type WorkoutBpmRow, type WorkoutBpmSummaryRow } from '../../../schema/tables.ts';
import type { Cell } from '../../../schema/types.ts';
import { columnOf, type ColumnBatch } from '../../table/columns/index.ts';
import { filesOfArrivedRows, pruneFiles, type Predicate } from '../../table/files/index.ts';
import type { AddAction } from '../../table/log/index.ts';
import { ageBin, ageOn } from '../../rules/age-bin.ts';
import { dayOfMicros } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { keyOf, readNewRows, readRemovedRows, readTableRows, sameRow } from '../rows.ts';
import { cellsAt, deleteUnproduced } from '../replace-scope.ts';
import type { UpstreamRange } from '../incremental.ts';
import type { Step } from '../step.ts';

const STEP = 'gold_workout_bpm_summary';
const GROUP = ['user_id', 'workout_id', 'session_id'] as const;

/** What a summary takes of its group's first workout_bpm row. */
type GroupStart = Pick<WorkoutBpmRow, (typeof GROUP)[number] | 'start_time'>;

/** The summary of one workout's readings. */
export function summarize(readings: readonly (GroupStart & Pick<WorkoutBpmRow, 'heartrate'>)[], bins: UserBinRow): WorkoutBpmSummaryRow {
  const a: Aggregate = { first: readings[0]!, min: Infinity, max: -Infinity, sum: 0, count: 0 };
  for (const r of readings) add(a, r.heartrate);
  return summaryOf(a, bins);
}

/** One heart rate into an aggregate: the one place the order of operations is fixed. */
function add(a: Aggregate, hr: number): void {
  if (hr < a.min) a.min = hr;
  if (hr > a.max) a.max = hr;
  a.sum += hr;
  a.count++;
}

/** Running min, max, sum and count of one group's heart rates, with the group's first row. */
interface Aggregate {
  first: GroupStart;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/** An aggregate that knows whether the last run could have seen any of its rows. */
interface GroupAggregate extends Aggregate {
  /** Some of its rows are in a file of the snapshot the last run read up to. */
  seenBefore: boolean;
}

/** The summary of one group's aggregate; the same row summarize gives for the group's readings. */
function summaryOf(a: Aggregate, bins: UserBinRow): WorkoutBpmSummaryRow {
  return {
    workout_id: a.first.workout_id,
    session_id: a.first.session_id,
    user_id: a.first.user_id,
    age: ageBin(ageOn(bins.dob, dayOfMicros(a.first.start_time))),
    gender: bins.gender,
    city: bins.city,
    state: bins.state,
    min_bpm: a.min,
    avg_bpm: a.sum / a.count,
    max_bpm: a.max,
    num_recordings: a.count,
  };
}

/**
 * Group key texts, made once per group rather than once per row: rows of concurrent workouts come
 * interleaved (one reading per device and second), but a user's row mostly belongs to the group of that
 * user's row before, so the last key of each user is kept.
 */
class GroupKeys {
  private readonly lastOfUser = new Map<Cell, { workout: Cell; session: Cell; key: string }>();

  of(user: Cell, workout: Cell, session: Cell): string {
    const last = this.lastOfUser.get(user);
    if (last !== undefined && last.workout === workout && last.session === session) return last.key;
    const key = keyOf({ user_id: user, workout_id: workout, session_id: session }, GROUP);
    this.lastOfUser.set(user, { workout, session, key });
    return key;
  }
}

/** Calls `each` with the group key of every run of rows of one group in the batch, and the run's rows [from, to). */
function forEachGroupRun(keys: GroupKeys, batch: { numRows: number; columns: ReadonlyMap<string, readonly Cell[]> }, each: (key: string, from: number, to: number) => void): void {
  const [u, w, s] = GROUP.map((name) => batch.columns.get(name)!);
  let start = 0;
  for (let i = 1; i <= batch.numRows; i++) {
    if (i < batch.numRows && u![i] === u![start] && w![i] === w![start] && s![i] === s![start]) continue;
    each(keys.of(u![start]!, w![start]!, s![start]!), start, i);
    start = i;
  }
}

/** The group keys, users and workout start times of the rows in a range's new files, and how many rows there were. */
async function freshGroups(range: UpstreamRange<typeof workoutBpm>): Promise<{ groups: Set<string>; users: Set<number>; starts: Set<number>; rows: number }> {
  const groups = new Set<string>();
  const users = new Set<number>();
  const starts = new Set<number>();
  let rows = 0;
  const keys = new GroupKeys();
  for await (const batch of range.table.scan({ snapshot: range.snapshot, files: range.files, columns: [...GROUP, 'start_time'], batchRows: 65_536, numberArrays: true })) {
    rows += batch.numRows;
    const u = columnOf(range.def, batch, 'user_id');
    const start = columnOf(range.def, batch, 'start_time');
    forEachGroupRun(keys, batch, (key, i) => {
      groups.add(key);
      users.add(u[i]!);
      starts.add(start[i]!);
    });
  }
  return { groups, users, starts, rows };
}

/**
 * The files of workout_bpm that may hold rows of the affected groups, in the snapshot's order (the order
 * a full scan reads them in, so each group's sum adds its heart rates in the same order). A group's rows
 * all carry its workout's start_time (completed_workouts has one per group, and a moved start replaces
 * the group's rows, old start times among the rows that left), so a file whose start_time statistics hold
 * none of the affected start times holds none of their rows: files of cycles long before or after those
 * workouts are skipped, and a cycle reads what its new data touched, whatever the history (issue 20). A
 * file of each cycle holds most users, so the user_id predicate alone would prune none. Users whose
 * demographics changed need every group of theirs: those files go by user_id alone.
 */
function filesOfGroups(range: UpstreamRange<typeof workoutBpm>, groupUsers: readonly number[], starts: readonly number[], binUsers: readonly number[]): AddAction[] {
  const wanted = new Set<string>();
  if (groupUsers.length > 0 && starts.length > 0) {
    const byGroup: Predicate[] = [
      { column: 'user_id', op: 'in', values: groupUsers },
      { column: 'start_time', op: 'in', values: starts },
    ];
    for (const add of pruneFiles(range.snapshot, byGroup)) wanted.add(add.path);
  }
  if (binUsers.length > 0) for (const add of pruneFiles(range.snapshot, [{ column: 'user_id', op: 'in', values: binUsers }])) wanted.add(add.path);
  return [...range.snapshot.files.values()].filter((add) => wanted.has(add.path));
}

/**
 * Every row of the wanted groups in `files` (of users `userIds`), aggregated as it streams by, file by
 * file in the order given; groups in first-seen order. `arrived`: the files whose rows all arrived after
 * what the last run read (a group with rows elsewhere may have been seen by it).
 */
async function aggregateGroups(range: UpstreamRange<typeof workoutBpm>, files: readonly AddAction[], userIds: readonly number[], wanted: (key: string, user: number) => boolean, arrived: ReadonlySet<string>): Promise<Map<string, GroupAggregate>> {
  const aggregates = new Map<string, GroupAggregate>();
  const columns = [...GROUP, 'start_time', 'heartrate'];
  const keys = new GroupKeys();
  for (const file of files) {
    const seenBefore = !arrived.has(file.path);
    for await (const batch of range.table.scan({ snapshot: range.snapshot, files: [file], columns, predicates: [{ column: 'user_id', op: 'in', values: userIds }], batchRows: 65_536, numberArrays: true })) {
      const hr = columnOf(range.def, batch, 'heartrate');
      const start = columnOf(range.def, batch, 'start_time');
      const userOf = columnOf(range.def, batch, 'user_id');
      const workoutOf = columnOf(range.def, batch, 'workout_id');
      const sessionOf = columnOf(range.def, batch, 'session_id');
      forEachGroupRun(keys, batch, (key, from, to) => {
        const user = userOf[from]!;
        if (!wanted(key, user)) return;
        let a = aggregates.get(key);
        if (a === undefined) {
          const first: GroupStart = { user_id: user, workout_id: workoutOf[from]!, session_id: sessionOf[from]!, start_time: start[from]! };
          aggregates.set(key, (a = { first, min: Infinity, max: -Infinity, sum: 0, count: 0, seenBefore }));
        }
        a.seenBefore ||= seenBefore;
        for (let i = from; i < to; i++) add(a, hr[i]!);
      });
    }
  }
  return aggregates;
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
      async compute({ ctx, target, ranges: [bpm, bins] }) {
        const fresh = await freshGroups(bpm);
        // Rows that left workout_bpm (a replaced reading, a re-paired workout): their groups are recomputed
        // too, and lose their summary when no reading is left.
        const left = await readRemovedRows(bpm, { columns: [...GROUP, 'start_time'] });
        const changedBins = [...(await readNewRows(bins, { columns: ['user_id'] })), ...(await readRemovedRows(bins, { columns: ['user_id'] }))];
        const leftGroups = new Set(left.map((r) => keyOf(r, GROUP)));
        const leftUsers = left.map((r) => r.user_id);
        const affectedGroups = new Set([...fresh.groups, ...leftGroups]);
        const binUsers = new Set(changedBins.map((b) => b.user_id));
        const userIds = [...new Set([...fresh.users, ...binUsers, ...leftUsers])];
        if (userIds.length === 0) return { rows: [], recordsIn: 0 };
        const binsOf = new Map((await readTableRows(bins, { predicates: [{ column: 'user_id', op: 'in', values: userIds }] })).map((b) => [b.user_id, b]));
        const groupUsers = [...new Set([...fresh.users, ...leftUsers])];
        const starts = [...new Set([...fresh.starts, ...left.map((r) => r.start_time)])];
        const files = filesOfGroups(bpm, groupUsers, starts, [...binUsers]);
        // A group none of whose rows the last run could have seen (all in files of rows that arrived
        // since, none among the rows that left) has no summary yet: its row is inserted without looking
        // the table up, so a cycle of new workouts reads no summary file, whatever the table's size. Into
        // an empty table every row goes so; without a checkpoint into a table with rows, none does.
        const arrived = target.planned.files.size === 0 ? new Set(files.map((f) => f.path)) : bpm.since === undefined ? new Set<string>() : await filesOfArrivedRows(bpm.table.store, bpm.since, bpm.until);
        const aggregates = await aggregateGroups(bpm, files, userIds, (key, user) => affectedGroups.has(key) || binUsers.has(user), arrived);
        const rows: WorkoutBpmSummaryRow[] = [];
        const absent: number[] = [];
        for (const [key, a] of aggregates) {
          const demographics = binsOf.get(a.first.user_id);
          // Without a profile yet the summary waits; the profile's arrival triggers it.
          if (!demographics) continue;
          rows.push(summaryOf(a, demographics));
          absent.push(!a.seenBefore && !leftGroups.has(key) ? 1 : 0);
        }
        // Only a group that lost rows or a user whose demographics changed can lose its summary: a group
        // with fresh rows has readings, and its user's demographics, if any, are unchanged (their removal
        // was handled when it arrived). Without such, nothing is read for deletion.
        const mayVanish = [...new Set([...binUsers, ...leftUsers])];
        if (mayVanish.length > 0) {
          const scope = {
            where: [{ column: 'user_id', op: 'in' as const, values: mayVanish }],
            holds: (b: ColumnBatch, i: number) => binUsers.has(columnOf(workoutBpmSummary, b, 'user_id')[i]!) || leftGroups.has(keyOf(cellsAt(b, i, GROUP), GROUP)),
          };
          await deleteUnproduced(target, workoutBpmSummary.primaryKey, scope, rows, { step: STEP, reason: 'groups left without readings or demographics', now: ctx.now });
        }
        return { rows, absentRows: Uint8Array.from(absent), recordsIn: fresh.rows + left.length + changedBins.length };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
