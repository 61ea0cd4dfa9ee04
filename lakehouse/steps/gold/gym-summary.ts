/**
 * Gold gym_summary: each completed workout of a device's user whose start_time lies within [login,
 * logout] of a gym visit of that device's MAC address; date is the UTC date of the login, minutes are
 * rounded to 2 decimals. Recomputed only for the MAC addresses touched by visits, workouts or
 * registrations that arrived or left (change-data.ts): all rows of such a MAC are computed again, and
 * its stored rows not among them are deleted (a workout whose start moved out of its visit, a user whose
 * MAC changed).
 */
import { completedWorkouts, gymLogs, gymSummary, users, type CompletedWorkoutRow, type GymLogRow, type GymSummaryRow } from '../../../schema/tables.ts';
import { dayOfMicros } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { dedupe, groupBy, keyOf, readNewRows, readRemovedRows, readTableRows, sameRow } from '../rows.ts';
import { columnScope, deleteUnproduced } from '../replace-scope.ts';
import type { Step } from '../step.ts';

const STEP = 'gold_gym_summary';

/** Minutes between two timestamps, rounded half away from zero to 2 decimals (exact for whole seconds). */
export function minutesBetween(fromMicros: number, toMicros: number): number {
  // Integer hundredths of a minute first (6e5 µs each), so no binary fraction is rounded twice.
  const hundredths = Math.round((toMicros - fromMicros) / 600_000);
  return hundredths / 100;
}

/**
 * The summary rows of one MAC address's visits and its users' completed workouts, one per key: when a
 * workout's start lies within several visits at one gym with logins on the same date, the visit with the
 * earliest login counts (../shared/sbit/README.md), whatever order the visits come in.
 */
export function gymRows(mac: string, visits: readonly GymLogRow[], sessions: readonly CompletedWorkoutRow[]): GymSummaryRow[] {
  const candidates: { row: GymSummaryRow; login: number }[] = [];
  for (const visit of visits) {
    const { login, logout } = visit;
    if (logout === null) continue; // an open visit has no length yet
    for (const w of sessions) {
      const start = w.start_time;
      if (start < login || start > logout) continue;
      candidates.push({
        login,
        row: {
          date: dayOfMicros(login),
          gym: visit.gym,
          mac_address: mac,
          workout_id: w.workout_id,
          session_id: w.session_id,
          minutes_in_gym: minutesBetween(login, logout),
          minutes_exercising: minutesBetween(start, w.end_time),
        },
      });
    }
  }
  const { kept } = dedupe(candidates, (c) => keyOf(c.row, gymSummary.primaryKey), (a, b) => (b.login < a.login ? b : a));
  return kept.map((c) => c.row);
}

export const goldGymSummary: Step = {
  name: STEP,
  layer: 'gold',
  reads: [gymLogs, completedWorkouts, users],
  writes: [gymSummary],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: gymSummary,
      upstream: [gymLogs, completedWorkouts, users],
      async compute({ ctx, target, ranges: [visitsRange, workoutsRange, usersRange] }) {
        const allUsers = await readTableRows(usersRange, { columns: ['user_id', 'mac_address'] });
        const macOfUser = new Map(allUsers.map((u) => [u.user_id, u.mac_address]));
        const touchedVisits = [...(await readNewRows(visitsRange, { columns: ['mac_address'] })), ...(await readRemovedRows(visitsRange, { columns: ['mac_address'] }))];
        const touchedWorkouts = [...(await readNewRows(workoutsRange, { columns: ['user_id'] })), ...(await readRemovedRows(workoutsRange, { columns: ['user_id'] }))];
        // A registration that left brings its old MAC, whose rows of that user must go.
        const touchedUsers = [...(await readNewRows(usersRange, { columns: ['mac_address'] })), ...(await readRemovedRows(usersRange, { columns: ['mac_address'] }))];
        const recordsIn = touchedVisits.length + touchedWorkouts.length + touchedUsers.length;
        const macs = new Set<string>([
          ...touchedVisits.map((v) => v.mac_address),
          ...touchedUsers.map((u) => u.mac_address),
          ...touchedWorkouts.flatMap((w) => {
            const mac = macOfUser.get(w.user_id);
            return mac === undefined ? [] : [mac];
          }),
        ]);
        if (macs.size === 0) return { rows: [], recordsIn };
        const macList = [...macs];
        const usersOfMac = groupBy(allUsers.filter((u) => macs.has(u.mac_address)), (u) => u.mac_address);
        const userIds = allUsers.filter((u) => macs.has(u.mac_address)).map((u) => u.user_id);
        const visitsOfMac = groupBy(await readTableRows(visitsRange, { predicates: [{ column: 'mac_address', op: 'in', values: macList }] }), (v) => v.mac_address);
        const sessions = userIds.length === 0 ? [] : await readTableRows(workoutsRange, { predicates: [{ column: 'user_id', op: 'in', values: userIds }] });
        const sessionsOfUser = groupBy(sessions, (w) => w.user_id);
        // One row per key: gymRows keeps one per key of its MAC, and the key holds the MAC.
        const rows: GymSummaryRow[] = [];
        for (const mac of macList) {
          const ownSessions = (usersOfMac.get(mac) ?? []).flatMap((u) => sessionsOfUser.get(u.user_id) ?? []);
          for (const row of gymRows(mac, visitsOfMac.get(mac) ?? [], ownSessions)) rows.push(row);
        }
        await deleteUnproduced(target, gymSummary.primaryKey, columnScope('mac_address', macs), rows, { step: STEP, reason: 'rows no longer supported by visits, workouts and registrations', now: ctx.now });
        return { rows, recordsIn };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
