/**
 * Gold gym_summary: each completed workout of a device's user whose start_time lies within [login,
 * logout] of a gym visit of that device's MAC address; date is the UTC date of the login, minutes are
 * rounded to 2 decimals. Recomputed only where visits, workouts or registrations that arrived or left
 * (change-data.ts) can change a row, and its stored rows there not among them are deleted (a workout
 * whose start moved out of its visit, a user whose MAC changed):
 *
 * - a visit or a workout touches one day of one MAC address (the login date of the visit, of each visit
 *   holding the workout's start): every row of that (MAC, date) is computed again from the MAC's visits
 *   with logins on that date and its users' workouts starting within them. A row's key holds its date
 *   and the visits that compete for it log in on that date, so the day is a complete scope, and the
 *   reads prune by time: visits by login and logout, workouts by start_time, the summary by date;
 * - a registration that arrived or left touches all of its MAC's rows (rare): they are computed again
 *   from all of the MAC's visits and its users' workouts.
 */
import { completedWorkouts, gymLogs, gymSummary, users, type CompletedWorkoutRow, type GymLogRow, type GymSummaryRow } from '../../../schema/tables.ts';
import { dayOfMicros, MICROS_PER_DAY } from '../../time.ts';
import { runIncremental } from '../incremental-step.ts';
import { bounds, dedupe, groupBy, keyOf, readNewRows, readRemovedRows, readTableRows, sameRow } from '../rows.ts';
import { deleteUnproduced, type Scope } from '../replace-scope.ts';
import type { UpstreamRange } from '../incremental.ts';
import type { Step } from '../step.ts';
import type { Predicate } from '../../table/files/index.ts';
import { columnOf } from '../../table/columns/index.ts';

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

/** Where a run recomputes: whole MAC addresses, and single days of others. */
class GymScope {
  readonly wholeMacs = new Set<string>();
  /** MAC address → login dates (days since the epoch) recomputed. */
  readonly days = new Map<string, Set<number>>();

  addDay(mac: string, day: number): void {
    if (this.wholeMacs.has(mac)) return;
    let days = this.days.get(mac);
    if (!days) this.days.set(mac, (days = new Set()));
    days.add(day);
  }

  addMac(mac: string): void {
    this.wholeMacs.add(mac);
    this.days.delete(mac);
  }

  get size(): number {
    return this.wholeMacs.size + this.days.size;
  }

  get macs(): string[] {
    return [...this.wholeMacs, ...this.days.keys()];
  }

  holds(mac: string, day: number): boolean {
    return this.wholeMacs.has(mac) || (this.days.get(mac)?.has(day) ?? false);
  }

  /** The first and last of the days (of MACs recomputed by day). */
  dayBounds(): { first: number; last: number } {
    const { min, max } = bounds([...this.days.values()].flatMap((days) => [...days]));
    return { first: min, last: max };
  }

  /** The stored summary rows of the scope (their date is the login date). */
  asReplaceScope(): Scope {
    const where: Predicate[] = [{ column: 'mac_address', op: 'in', values: this.macs }];
    if (this.wholeMacs.size === 0) {
      const { first, last } = this.dayBounds();
      where.push({ column: 'date', op: '>=', value: first }, { column: 'date', op: '<=', value: last });
    }
    return { where, holds: (b, i) => this.holds(columnOf(gymSummary, b, 'mac_address')[i]!, columnOf(gymSummary, b, 'date')[i]!) };
  }
}

/** The MAC's visits holding each workout start (closed visits only), as (MAC, login date) pairs of the scope. */
async function addDaysOfStarts(scope: GymScope, visits: UpstreamRange<typeof gymLogs>, starts: readonly { mac: string; start: number }[]): Promise<void> {
  if (starts.length === 0) return;
  const times = bounds(starts.map((s) => s.start));
  const predicates: Predicate[] = [
    { column: 'mac_address', op: 'in', values: [...new Set(starts.map((s) => s.mac))] },
    { column: 'login', op: '<=', value: times.max },
    { column: 'logout', op: '>=', value: times.min },
  ];
  const startsOfMac = groupBy(starts, (s) => s.mac);
  for (const visit of await readTableRows(visits, { columns: ['mac_address', 'login', 'logout'], predicates })) {
    const { logout } = visit;
    if (logout === null) continue;
    if ((startsOfMac.get(visit.mac_address) ?? []).some((s) => s.start >= visit.login && s.start <= logout)) scope.addDay(visit.mac_address, dayOfMicros(visit.login));
  }
}

/** The visits of the scope: all of a whole MAC's, and those of a MAC logging in on one of its days. */
async function visitsOf(scope: GymScope, visits: UpstreamRange<typeof gymLogs>): Promise<GymLogRow[]> {
  const out: GymLogRow[] = [];
  if (scope.wholeMacs.size > 0) out.push(...(await readTableRows(visits, { predicates: [{ column: 'mac_address', op: 'in', values: [...scope.wholeMacs] }] })));
  if (scope.days.size > 0) {
    const { first, last } = scope.dayBounds();
    const predicates: Predicate[] = [
      { column: 'mac_address', op: 'in', values: [...scope.days.keys()] },
      { column: 'login', op: '>=', value: first * MICROS_PER_DAY },
      { column: 'login', op: '<', value: (last + 1) * MICROS_PER_DAY },
    ];
    for (const v of await readTableRows(visits, { predicates })) if (scope.days.get(v.mac_address)?.has(dayOfMicros(v.login))) out.push(v);
  }
  return out;
}

/** The workouts of `userIds` that start within one of the closed visits (pruned by start_time). */
async function sessionsWithin(workouts: UpstreamRange<typeof completedWorkouts>, userIds: readonly number[], visits: readonly GymLogRow[]): Promise<CompletedWorkoutRow[]> {
  const closed = visits.filter((v) => v.logout !== null);
  if (userIds.length === 0 || closed.length === 0) return [];
  const from = bounds(closed.map((v) => v.login)).min;
  const to = bounds(closed.map((v) => v.logout ?? -Infinity)).max;
  const predicates: Predicate[] = [
    { column: 'user_id', op: 'in', values: userIds },
    { column: 'start_time', op: '>=', value: from },
    { column: 'start_time', op: '<=', value: to },
  ];
  return readTableRows(workouts, { predicates });
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
        const touchedVisits = [...(await readNewRows(visitsRange, { columns: ['mac_address', 'login'] })), ...(await readRemovedRows(visitsRange, { columns: ['mac_address', 'login'] }))];
        const touchedWorkouts = [...(await readNewRows(workoutsRange, { columns: ['user_id', 'start_time'] })), ...(await readRemovedRows(workoutsRange, { columns: ['user_id', 'start_time'] }))];
        // A registration that left brings its old MAC, whose rows of that user must go.
        const touchedUsers = [...(await readNewRows(usersRange, { columns: ['mac_address'] })), ...(await readRemovedRows(usersRange, { columns: ['mac_address'] }))];
        const recordsIn = touchedVisits.length + touchedWorkouts.length + touchedUsers.length;
        const scope = new GymScope();
        for (const u of touchedUsers) scope.addMac(u.mac_address);
        for (const v of touchedVisits) scope.addDay(v.mac_address, dayOfMicros(v.login));
        // A workout's start or old start (a removed row) touches the days of the visits holding it.
        await addDaysOfStarts(
          scope,
          visitsRange,
          touchedWorkouts.flatMap((w) => {
            const mac = macOfUser.get(w.user_id);
            return mac === undefined || scope.wholeMacs.has(mac) ? [] : [{ mac, start: w.start_time }];
          }),
        );
        if (scope.size === 0) return { rows: [], recordsIn };
        const macs = new Set(scope.macs);
        const usersOfMac = groupBy(allUsers.filter((u) => macs.has(u.mac_address)), (u) => u.mac_address);
        const visits = await visitsOf(scope, visitsRange);
        const visitsOfMac = groupBy(visits, (v) => v.mac_address);
        const sessionsOfUser = groupBy(await sessionsWithin(workoutsRange, allUsers.filter((u) => macs.has(u.mac_address)).map((u) => u.user_id), visits), (w) => w.user_id);
        // One row per key: gymRows keeps one per key of its MAC, and the key holds the MAC.
        const rows: GymSummaryRow[] = [];
        for (const mac of macs) {
          const ownSessions = (usersOfMac.get(mac) ?? []).flatMap((u) => sessionsOfUser.get(u.user_id) ?? []);
          for (const row of gymRows(mac, visitsOfMac.get(mac) ?? [], ownSessions)) rows.push(row);
        }
        await deleteUnproduced(target, gymSummary.primaryKey, scope.asReplaceScope(), rows, { step: STEP, reason: 'rows no longer supported by visits, workouts and registrations', now: ctx.now });
        return { rows, recordsIn };
      },
      whenMatched: (target, source) => (sameRow(source, target) ? undefined : source),
    }),
};
