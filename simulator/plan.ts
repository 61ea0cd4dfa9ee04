/**
 * The plan of a simulation: who the users are, when they registered and changed their profile, and for
 * every user-day when the device is worn, when it is off (gaps), and the workout sessions with their gym
 * visits. The plan is small (a few objects per user-day); the readings are generated from it as a stream
 * (see generate.ts), never held.
 *
 * Times are whole epoch seconds. A day's worn time is one window; gaps and sessions lie inside it, apart
 * from each other, so a reading's phase follows from the plan alone (heart-rate.ts).
 */
import type { SimulationSettings } from './options.ts';
import { drawAddress, drawLastName, drawPerson, type Person } from './people.ts';
import type { Prng } from './prng.ts';

/** A half-open time range [from, to). */
export interface Interval {
  from: number;
  to: number;
}

/** A gym door login and logout around a session. */
export interface GymVisit {
  gym: number;
  login: number;
  logout: number;
}

/** One workout session: warm-up from start, exercise to stop, then recovery until recoveryEnd. */
export interface Session {
  workoutId: number;
  sessionId: number;
  start: number;
  warmupEnd: number;
  stop: number;
  recoveryEnd: number;
  /** Heart rate the exercise settles at. */
  exerciseBpm: number;
  /** Time constant of the recovery's decay, seconds. */
  recoveryTau: number;
  /** The visit the session took place in, or null for a workout outside a gym. */
  visit: GymVisit | null;
  /** Imperfection: the stop event is delivered before the start event. */
  stopFirst: boolean;
}

/** One day of one user. */
export interface DayPlan {
  day: number;
  wearStart: number;
  /** End of the worn window (exclusive). */
  wearEnd: number;
  /** Times the device is off, inside the window, in order. */
  gaps: Interval[];
  /** Sessions inside the window, in order, apart from each other and from the gaps. */
  sessions: Session[];
}

/** A user_info record: the whole profile as it stood from `timestamp` on. */
export interface ProfileChange {
  timestamp: number;
  updateType: 'new' | 'update';
  person: Person;
}

/** A simulated user and device. */
export interface SimUser {
  index: number;
  userId: number;
  deviceId: number;
  mac: string;
  registeredAt: number;
  person: Person;
  restingBpm: number;
  profile: ProfileChange[];
  days: DayPlan[];
}

const MINUTE = 60;
const HOUR = 3600;
export const DAY = 86_400;
/** Recovery is simulated for this long after a stop; the next session starts at least an hour later. */
const RECOVERY = 15 * MINUTE;
const BETWEEN_SESSIONS = 60 * MINUTE;

/** Unique ids drawn at random from a range that grows with the number wanted, so the draws stay cheap. */
function uniqueIds(rng: Prng, count: number, min: number, span: number): number[] {
  const range = Math.max(span, count * 10);
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < count) {
    const id = min + Math.floor(rng.float() * range);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(id);
    }
  }
  return out;
}

/** Unique MAC addresses (six lower-case hex pairs). */
function uniqueMacs(rng: Prng, count: number): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < count) {
    const mac = Array.from({ length: 6 }, () => (rng.uint32() & 0xff).toString(16).padStart(2, '0')).join(':');
    if (!seen.has(mac)) {
      seen.add(mac);
      out.push(mac);
    }
  }
  return out;
}

/** A gap of the device being off inside the day's window, clear of sessions and other gaps; null when none fits. */
export function placeGap(rng: Prng, day: DayPlan): Interval | null {
  const length = rng.int(5, 40) * MINUTE;
  const lo = day.wearStart + 10 * MINUTE;
  const hi = day.wearEnd - 10 * MINUTE - length;
  if (hi <= lo) return null;
  const busy: Interval[] = [...day.sessions.map((s) => ({ from: s.start - 10 * MINUTE, to: s.recoveryEnd + 10 * MINUTE })), ...day.gaps.map((g) => ({ from: g.from - MINUTE, to: g.to + MINUTE }))];
  for (let attempt = 0; attempt < 20; attempt++) {
    const from = rng.int(lo, hi);
    const gap = { from, to: from + length };
    if (busy.every((b) => gap.to <= b.from || gap.from >= b.to)) return gap;
  }
  return null;
}

/** The sessions of one day inside [lo, hi), with their gym visits (session ids continue from `nextSessionId`). */
function planSessions(rng: Prng, user: { age: number; homeGym: number }, lo: number, hi: number, nextSessionId: number): Session[] {
  const u = rng.float();
  let count = u < 0.2 ? 0 : u < 0.75 ? 1 : 2;
  const durations = [rng.int(25, 75) * MINUTE, rng.int(25, 75) * MINUTE];
  const blockOf = (i: number) => durations[i]! + RECOVERY;
  const needed = (k: number) => Array.from({ length: k }, (_, i) => blockOf(i)).reduce((a, b) => a + b, 0) + Math.max(0, k - 1) * BETWEEN_SESSIONS;
  while (count > 0 && needed(count) > hi - lo) count--;
  if (count === 0) return [];
  // Spread the free time at random before, between and after the sessions.
  const slack = hi - lo - needed(count);
  const offsets = Array.from({ length: count }, () => rng.int(0, slack)).sort((a, b) => a - b);
  const sessions: Session[] = [];
  let used = 0;
  for (let i = 0; i < count; i++) {
    const start = lo + offsets[i]! + used;
    const duration = durations[i]!;
    used += blockOf(i) + BETWEEN_SESSIONS;
    const stop = start + duration;
    // Exercise intensity follows age: a share of the age-predicted maximum (220 - age), kept in 120..175.
    const exerciseBpm = Math.min(175, Math.max(120, Math.round((220 - user.age) * rng.range(0.68, 0.85))));
    const atGym = rng.chance(0.7);
    const visit = atGym
      ? { gym: rng.chance(0.8) ? user.homeGym : rng.int(1, 5), login: start - rng.int(5 * MINUTE, 20 * MINUTE), logout: stop + rng.int(5 * MINUTE, 20 * MINUTE) }
      : null;
    sessions.push({
      workoutId: rng.int(1, 3),
      sessionId: nextSessionId + i,
      start,
      warmupEnd: start + Math.min(Math.floor(duration / 3), rng.int(5 * MINUTE, 10 * MINUTE)),
      stop,
      recoveryEnd: stop + RECOVERY,
      exerciseBpm,
      recoveryTau: rng.int(60, 180),
      visit,
      stopFirst: false,
    });
  }
  return sessions;
}

/** The profile changes of a user: `new` at registration, then moves and name changes during the period. */
function planProfile(rng: Prng, person: Person, registeredAt: number, periodEnd: number): ProfileChange[] {
  const changes: ProfileChange[] = [{ timestamp: registeredAt, updateType: 'new', person }];
  const lo = registeredAt + HOUR;
  if (lo >= periodEnd - 1) return changes;
  const updates: { timestamp: number; kind: 'move' | 'name' }[] = [];
  if (rng.chance(0.3)) updates.push({ timestamp: rng.int(lo, periodEnd - 1), kind: 'move' });
  if (rng.chance(0.15)) updates.push({ timestamp: rng.int(lo, periodEnd - 1), kind: 'name' });
  updates.sort((a, b) => a.timestamp - b.timestamp);
  let current = person;
  for (const update of updates) {
    // Two changes in one second could not be ordered by the pipeline (latest `updated` wins): skip the second.
    if (update.timestamp === changes[changes.length - 1]!.timestamp) continue;
    current = update.kind === 'move' ? { ...current, address: drawAddress(rng, current.address.city) } : { ...current, last_name: drawLastName(rng, current.last_name) };
    changes.push({ timestamp: update.timestamp, updateType: 'update', person: current });
  }
  return changes;
}

/** The worn window of one day: from about 06:00-08:00 for about `wearHours`, inside the day. */
function planWear(rng: Prng, dayStart: number, wearHours: number): { wearStart: number; wearEnd: number } {
  const length = Math.min(Math.round(23.5 * HOUR), Math.max(90 * MINUTE, Math.round(wearHours * HOUR) + rng.int(-30 * MINUTE, 30 * MINUTE)));
  const wearStart = Math.min(dayStart + 6 * HOUR + rng.int(0, 2 * HOUR), dayStart + DAY - MINUTE - length);
  return { wearStart, wearEnd: wearStart + length };
}

/**
 * The users of a simulation. `rng` is the simulation's root stream; each user draws from a fork of its
 * own, so a user's plan depends only on the seed and its index (ids excepted, which must be unique).
 */
export function planUsers(settings: SimulationSettings, rng: Prng): SimUser[] {
  const rate = settings.imperfections;
  const ids = rng.fork('ids');
  const userIds = uniqueIds(ids, settings.users, 10_000, 90_000);
  const deviceIds = uniqueIds(ids, settings.users, 100_000, 900_000);
  const macs = uniqueMacs(ids, settings.users);
  const startYear = new Date(settings.startSeconds * 1000).getUTCFullYear();
  const periodEnd = settings.startSeconds + settings.days * DAY;
  const users: SimUser[] = [];
  for (let index = 0; index < settings.users; index++) {
    const r = rng.fork(`user:${index}`);
    const person = drawPerson(r, startYear);
    const homeGym = r.int(1, 5);
    let nextSessionId = 1;
    const days: DayPlan[] = [];
    for (let day = 0; day < settings.days; day++) {
      const dr = r.fork(`day:${day}`);
      const { wearStart, wearEnd } = planWear(dr, settings.startSeconds + day * DAY, settings.wearHours);
      const sessions = planSessions(dr, { age: person.age, homeGym }, wearStart + 15 * MINUTE, wearEnd, nextSessionId);
      nextSessionId += sessions.length;
      const plan: DayPlan = { day, wearStart, wearEnd, gaps: [], sessions };
      // Imperfections draw from a stream of their own: the plan is the same whatever the rate.
      const di = dr.fork('imperfections');
      for (const s of sessions) s.stopFirst = rate > 0 && di.chance(rate);
      // A gap is a rarer event than a faulty record: at rate 1% about one user-day in five has one.
      if (rate > 0 && di.chance(Math.min(0.95, rate * 20))) {
        const gap = placeGap(di, plan);
        if (gap) plan.gaps.push(gap);
      }
      days.push(plan);
    }
    // A device switched on before its user registered: its first readings precede the registration.
    const ui = r.fork('imperfections');
    const early = rate > 0 && (index === 0 || ui.chance(rate));
    const day0 = days[0]!;
    const usualRegistration = settings.startSeconds - r.int(HOUR, 14 * DAY);
    const registeredAt = early ? Math.min(day0.wearStart + ui.int(20 * MINUTE, 90 * MINUTE), day0.wearEnd - MINUTE) : usualRegistration;
    users.push({
      index,
      userId: userIds[index]!,
      deviceId: deviceIds[index]!,
      mac: macs[index]!,
      registeredAt,
      person,
      restingBpm: Math.round(r.range(55, 75) * 10) / 10,
      profile: planProfile(r, person, registeredAt, periodEnd),
      days,
    });
  }
  if (rate > 0) ensureEveryPlannedKind(users, rng.fork('ensure'));
  return users;
}

/**
 * With a non-zero rate, a small simulation still shows every kind: when no session was drawn to have
 * its stop first, the first session gets it, and when no user-day was drawn a gap, the first that has
 * room gets one.
 */
function ensureEveryPlannedKind(users: SimUser[], rng: Prng): void {
  const days = users.flatMap((u) => u.days);
  const sessions = days.flatMap((d) => d.sessions);
  if (sessions.length > 0 && !sessions.some((s) => s.stopFirst)) sessions[0]!.stopFirst = true;
  if (!days.some((d) => d.gaps.length > 0)) {
    for (const day of days) {
      const gap = placeGap(rng, day);
      if (gap) {
        day.gaps.push(gap);
        break;
      }
    }
  }
}

/** Seconds the devices are worn and on, over the whole plan or one day of it: about the number of readings a run makes. */
export function plannedReadings(users: readonly SimUser[], onlyDay?: number): number {
  let n = 0;
  for (const u of users) for (const d of u.days) if (onlyDay === undefined || d.day === onlyDay) n += d.wearEnd - d.wearStart - d.gaps.reduce((s, g) => s + g.to - g.from, 0);
  return n;
}
