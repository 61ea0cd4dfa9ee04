/**
 * Silver completed_workouts: a `start` and a `stop` of the same (user_id, workout_id, session_id), the
 * stop after the start and less than 3 hours after it. A stop whose start has not arrived waits in
 * workouts; when the start lands, the pair is made. Every session with a new or removed event is paired
 * again from all of its events, and loses its row when it no longer makes a pair.
 */
import { completedWorkouts, workouts, type CompletedWorkoutRow, type WorkoutRow } from '../../../schema/tables.ts';
import { MICROS_PER_SECOND } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { groupBy, keyOf, readNewRows, readRemovedRows, readRowsOfFiles, sameRow } from '../rows.ts';
import { filesOfArrivedRows } from '../../table/files/index.ts';
import { cellsAt, deleteUnproduced } from '../replace-scope.ts';
import type { ColumnBatch } from '../../table/columns/index.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_completed_workouts';
export const MAX_WORKOUT_MICROS = 3 * 3600 * MICROS_PER_SECOND;
const SESSION_KEY = ['user_id', 'workout_id', 'session_id'] as const;

/** The completed workout of one session's events, if they make one: earliest start, earliest stop within the bound after it. */
export function pairSession(events: readonly WorkoutRow[]): CompletedWorkoutRow | undefined {
  const starts = events.filter((e) => e.action === 'start').map((e) => e.time);
  if (starts.length === 0) return undefined;
  const start = Math.min(...starts);
  const stops = events.filter((e) => e.action === 'stop' && e.time > start && e.time - start < MAX_WORKOUT_MICROS).map((e) => e.time);
  if (stops.length === 0) return undefined;
  const first = events[0]!;
  return { user_id: first.user_id, workout_id: first.workout_id, session_id: first.session_id, start_time: start, end_time: Math.min(...stops) };
}

export const silverCompletedWorkouts: Step = {
  name: STEP,
  layer: 'silver',
  reads: [workouts],
  writes: [completedWorkouts],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: completedWorkouts,
      upstream: [workouts],
      async compute({ ctx, target, ranges: [events] }) {
        const fresh = await readNewRows(events);
        const removed = await readRemovedRows(events, { columns: [...SESSION_KEY] });
        const touched = [...fresh, ...removed];
        const sessions = new Set(touched.map((e) => keyOf(e, SESSION_KEY)));
        const userIds = [...new Set(touched.map((e) => e.user_id))];
        if (userIds.length === 0) return { rows: [], recordsIn: 0 };
        // Both halves of a pair may be in older data, at any time (a session's earliest start decides):
        // read every event whose user, workout and session ids are among those touched (a superset of
        // the touched sessions' events, which file statistics prune where they can).
        const values = (column: (typeof SESSION_KEY)[number]) => [...new Set(touched.map((e) => e[column]))];
        const predicates = [{ column: 'user_id', op: 'in' as const, values: userIds }, ...(['workout_id', 'session_id'] as const).map((column) => ({ column, op: 'in' as const, values: values(column) }))];
        // A session none of whose events the last run could have seen (all in files of rows that
        // arrived since, none among those that left) has no row yet: inserted without a lookup, and
        // nothing of it is looked for to delete, so a cycle of new workouts reads none of the table.
        const arrived = target.planned.files.size === 0 ? undefined : events.since === undefined ? new Set<string>() : await filesOfArrivedRows(events.table.store, events.since, events.until);
        const files = [...events.snapshot.files.values()];
        const older = await readRowsOfFiles(events, arrived === undefined ? [] : files.filter((f) => !arrived.has(f.path)), predicates);
        const all = [...older, ...(await readRowsOfFiles(events, arrived === undefined ? files : files.filter((f) => arrived.has(f.path)), predicates))];
        const seenBefore = new Set([...removed, ...older].map((e) => keyOf(e, SESSION_KEY)));
        const rows: CompletedWorkoutRow[] = [];
        const absent: number[] = [];
        for (const [key, group] of groupBy(all, (e) => keyOf(e, SESSION_KEY))) {
          if (!sessions.has(key)) continue;
          const pair = pairSession(group);
          if (!pair) continue;
          rows.push(pair);
          absent.push(seenBefore.has(key) ? 0 : 1);
        }
        // Only a session the table may hold a row of can lose it.
        const vanishing = new Set([...sessions].filter((key) => seenBefore.has(key)));
        if (vanishing.size > 0) {
          const vanishingUsers = [...new Set(touched.filter((e) => vanishing.has(keyOf(e, SESSION_KEY))).map((e) => e.user_id))];
          const scope = { where: [{ column: 'user_id', op: 'in' as const, values: vanishingUsers }], holds: (b: ColumnBatch, i: number) => vanishing.has(keyOf(cellsAt(b, i, SESSION_KEY), SESSION_KEY)) };
          await deleteUnproduced(target, completedWorkouts.primaryKey, scope, rows, { step: STEP, reason: 'sessions that no longer pair', now: ctx.now });
        }
        return { rows, absentRows: Uint8Array.from(absent), recordsIn: fresh.length };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
