/**
 * The simulation proper: from the plan (plan.ts) to records, as an async generator of batches. The small
 * sources (registrations, gym visits, profile changes, workout events) are made first, from the plan;
 * then the readings, device-day by device-day, second by second, without keeping any: memory stays
 * flat whether a run makes ten thousand readings or a hundred million.
 *
 * Imperfections are drawn from streams of their own (forks of the seed), so the readings are the same
 * numbers whatever the rate, and each one is counted in the tally as it is made (imperfections.ts).
 * With a rate above zero, every kind appears at least once: the first registration gets a broken copy,
 * and the first device-day carries one reading of each reading-level kind at fixed positions.
 */
import { HeartRateTrace } from './heart-rate.ts';
import { emptyTally, type Tally } from './imperfections.ts';
import { resolveOptions, type SimulationOptions, type SimulationSettings } from './options.ts';
import { DAY, planUsers, type DayPlan, type SimUser } from './plan.ts';
import { Prng } from './prng.ts';
import type { CsvSource, RecordFault, SimRecord, StreamName, StreamRecord } from './records.ts';

/** A planned simulation whose records can be generated (again and again: same seed, same records). */
export interface Simulation {
  readonly settings: SimulationSettings;
  /** The plan: users, devices, days, sessions, visits, gaps. */
  readonly users: readonly SimUser[];
  /** The counts of the current (or last finished) pass over the records. */
  readonly tally: Tally;
  /** The records in batches, in delivery order; each pass starts a fresh tally. */
  batches(): AsyncGenerator<SimRecord[]>;
  /** The records one by one (the batches flattened). */
  records(): AsyncGenerator<SimRecord>;
}

/** Batches are yielded once they hold at least this many records. */
const BATCH = 4096;
/** The topic of the records fitlake does not know (a device's status channel). */
export const UNKNOWN_TOPIC = 'device_status';
/** Texts a faulty sensor sends instead of a heart rate. */
const NON_NUMERIC = ['n/a', '--', 'NaN', 'ERR', ''];

type Weighted<K> = readonly (readonly [K, number])[];
const CSV_FAULTS: Weighted<RecordFault> = [
  ['duplicate', 2],
  ['csv_missing_field', 1],
];
const EVENT_FAULTS: Weighted<RecordFault> = [
  ['duplicate', 2],
  ['truncated_json', 1],
];
const READING_FAULTS: Weighted<RecordFault> = [
  ['duplicate', 3],
  ['late', 2],
  ['dropout', 3],
  ['truncated_json', 1],
  ['non_numeric_heartrate', 1],
  ['unknown_topic', 1],
];
/** With a rate above zero, the first device-day has one reading of each kind at these positions. */
const FORCED_READING_FAULTS = new Map<number, RecordFault>([
  [60, 'duplicate'],
  [120, 'late'],
  [180, 'dropout'],
  [240, 'truncated_json'],
  [300, 'non_numeric_heartrate'],
  [360, 'unknown_topic'],
]);

/** A fault with probability `rate`, its kind drawn by weight; null otherwise. */
function drawFault(rng: Prng, rate: number, weighted: Weighted<RecordFault>): RecordFault | null {
  if (rate <= 0 || rng.float() >= rate) return null;
  let total = 0;
  for (const [, w] of weighted) total += w;
  let x = rng.float() * total;
  for (const [kind, w] of weighted) {
    x -= w;
    if (x < 0) return kind;
  }
  return weighted[weighted.length - 1]![0];
}

/** A simulation of `options` (defaults in options.ts); throws RangeError on an invalid option. */
export function createSimulation(options: SimulationOptions = {}): Simulation {
  const settings = resolveOptions(options);
  const root = Prng.fromSeed(settings.seed);
  const users = planUsers(settings, root.fork('plan'));
  let tally = emptyTally();
  async function* batches(): AsyncGenerator<SimRecord[]> {
    tally = emptyTally();
    yield* generate(settings, users, root, tally);
  }
  return {
    settings,
    users,
    get tally() {
      return tally;
    },
    batches,
    async *records() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

async function* generate(settings: SimulationSettings, users: readonly SimUser[], root: Prng, tally: Tally): AsyncGenerator<SimRecord[]> {
  const rate = settings.imperfections;
  const faults = root.fork('faults');
  const { onlyDay } = settings;

  // The small sources are made for the whole period even when one day is asked for: their imperfections
  // are drawn record after record from one stream, so a day's records are the same as in a whole run.
  let small: SimRecord[] = [];
  const registrations = [...users].sort((a, b) => a.registeredAt - b.registeredAt || a.userId - b.userId);
  emitCsv('registered_users', registrations.map((u) => ({ fields: [String(u.userId), String(u.deviceId), u.mac, String(u.registeredAt)], time: u.registeredAt })), faults.fork('registered_users'), rate, small);
  const visits = users.flatMap((u) => u.days.flatMap((d) => d.sessions.flatMap((s) => (s.visit ? [{ mac: u.mac, ...s.visit }] : []))));
  visits.sort((a, b) => a.login - b.login || (a.mac < b.mac ? -1 : 1));
  emitCsv('gym_logins', visits.map((v) => ({ fields: [v.mac, String(v.gym), String(v.login), String(v.logout)], time: v.login })), faults.fork('gym_logins'), rate, small);
  emitProfiles(users, faults.fork('user_info'), rate, small);
  emitWorkouts(users, faults.fork('workout'), rate, small);
  if (onlyDay !== undefined) small = small.filter((r) => dayOfTime(settings, r.time) === onlyDay);
  countSmallSources(small, tally);
  yield small;

  // Readings are handed on in small batches as they are made: a batch that lived through a whole
  // device-day would outlast the young generation and make the garbage collector the bottleneck.
  const batch: Batch = { records: [] };
  const [firstDay, endDay] = onlyDay === undefined ? [0, settings.days] : [onlyDay, onlyDay + 1];
  for (let day = firstDay; day < endDay; day++) {
    for (const user of users) {
      const plan = user.days[day]!;
      const forced = rate > 0 && day === 0 && user.index === 0 ? FORCED_READING_FAULTS : undefined;
      for (const _ of emitReadings(user, plan, root.fork(`readings:${user.index}:${day}`), faults.fork(`readings:${user.index}:${day}`), rate, forced, batch, tally)) {
        yield batch.records;
        batch.records = [];
      }
    }
  }
  if (batch.records.length > 0) yield batch.records;
}

/**
 * The day of the period (0-based) a record of a small source belongs to, by its time: records before the
 * period (registrations) belong to the first day, records after it (a logout past the last midnight) to
 * the last, so the days of a period together hold every record of a whole run.
 */
function dayOfTime(settings: SimulationSettings, time: number): number {
  return Math.min(settings.days - 1, Math.max(0, Math.floor((time - settings.startSeconds) / DAY)));
}

/** The tally of the small sources' records: what each record is follows from its source and fault. */
function countSmallSources(records: readonly SimRecord[], tally: Tally): void {
  const profileUsers = new Set<string>();
  for (const r of records) {
    const counts = tally.sources[r.kind === 'csv' ? r.source : r.stream];
    counts.records++;
    switch (r.fault) {
      case 'stop_before_start':
        // The stop delivered before its start is still a good record.
        tally.imperfections.stop_before_start++;
        counts.distinct++;
        break;
      case null:
        counts.distinct++;
        if (r.kind === 'stream' && r.stream === 'user_info') profileUsers.add(r.key);
        break;
      case 'duplicate':
        tally.imperfections.duplicate++;
        counts.duplicates++;
        break;
      case 'truncated_json':
        tally.imperfections.truncated_json++;
        counts.truncated++;
        break;
      case 'csv_missing_field':
        tally.imperfections.csv_missing_field++;
        counts.missingField++;
        break;
      default:
        throw new Error(`a small source's record cannot carry the fault ${r.fault}`);
    }
  }
  tally.profileUsers += profileUsers.size;
}

/** The batch being filled; replaced by a fresh array each time it is handed on. */
interface Batch {
  records: SimRecord[];
}

/** CSV rows with their imperfections: exact copies and copies missing a field (the first registration always, when rate > 0). */
function emitCsv(source: CsvSource, rows: { fields: string[]; time: number }[], rng: Prng, rate: number, out: SimRecord[]): void {
  rows.forEach(({ fields, time }, i) => {
    out.push({ kind: 'csv', source, fields, time, fault: null });
    const fault = rate > 0 && i === 0 && source === 'registered_users' ? 'csv_missing_field' : drawFault(rng, rate, CSV_FAULTS);
    if (fault === 'duplicate') {
      out.push({ kind: 'csv', source, fields, time, fault });
    } else if (fault === 'csv_missing_field') {
      const drop = rng.int(0, fields.length - 1);
      out.push({ kind: 'csv', source, fields: fields.filter((_, j) => j !== drop), time, fault });
    }
  });
}

/** A good event record followed by its imperfect copies (a truncated copy comes first: a torn write, then the retry). */
function emitEvent(stream: StreamName, key: string, value: string, time: number, fault: RecordFault | null, rng: Prng, out: SimRecord[]): void {
  if (fault === 'truncated_json') out.push({ kind: 'stream', stream, topic: stream, key, value, time, fault, cut: rng.range(0.2, 0.9) });
  out.push({ kind: 'stream', stream, topic: stream, key, value, time, fault: fault === 'stop_before_start' ? fault : null });
  if (fault === 'duplicate') out.push({ kind: 'stream', stream, topic: stream, key, value, time, fault });
}

/** user_info records in time order: each user's `new` at registration, then updates. */
function emitProfiles(users: readonly SimUser[], rng: Prng, rate: number, out: SimRecord[]): void {
  const changes = users.flatMap((u) => u.profile.map((c) => ({ user: u, change: c })));
  changes.sort((a, b) => a.change.timestamp - b.change.timestamp || a.user.userId - b.user.userId);
  for (const { user, change } of changes) {
    const p = change.person;
    const value = JSON.stringify({
      user_id: user.userId,
      update_type: change.updateType,
      timestamp: change.timestamp,
      dob: p.dob,
      sex: p.sex,
      gender: p.gender,
      first_name: p.first_name,
      last_name: p.last_name,
      address: p.address,
    });
    emitEvent('user_info', String(user.userId), value, change.timestamp, drawFault(rng, rate, EVENT_FAULTS), rng, out);
  }
}

/** workout start/stop events in time order; a session marked stopFirst has its stop delivered just before its start. */
function emitWorkouts(users: readonly SimUser[], rng: Prng, rate: number, out: SimRecord[]): void {
  const events = users.flatMap((user) =>
    user.days.flatMap((d) => d.sessions.flatMap((session) => [{ user, session, action: 'start' as const, time: session.start }, { user, session, action: 'stop' as const, time: session.stop }])),
  );
  events.sort((a, b) => a.time - b.time || a.user.userId - b.user.userId);
  const value = (e: (typeof events)[number], action: 'start' | 'stop', time: number) =>
    `{"user_id":${e.user.userId},"workout_id":${e.session.workoutId},"timestamp":${time},"action":"${action}","session_id":${e.session.sessionId}}`;
  for (const e of events) {
    const key = String(e.user.userId);
    if (e.session.stopFirst) {
      if (e.action === 'stop') continue; // delivered already, before its start
      emitEvent('workout', key, value(e, 'stop', e.session.stop), e.session.stop, 'stop_before_start', rng, out);
    }
    emitEvent('workout', key, value(e, e.action, e.time), e.time, drawFault(rng, rate, EVENT_FAULTS), rng, out);
  }
}

/** A reading held back to be delivered late, and when. */
interface HeldReading {
  time: number;
  value: string;
  /** Readings pushed before it was held, and after how many it is released. */
  heldAt: number;
  releaseAt: number;
}

/** The fault of each reading in turn: forced by the plan, a dropout run going on, or drawn at `rate`. */
class ReadingFaults {
  private dropoutLeft = 0;
  private index = 0;

  constructor(
    private readonly rng: Prng,
    private readonly rate: number,
    private readonly forced: ReadonlyMap<number, RecordFault> | undefined,
  ) {}

  next(): RecordFault | null {
    let fault: RecordFault | null;
    const forcedFault = this.forced?.get(this.index++);
    if (forcedFault) {
      fault = forcedFault;
      this.dropoutLeft = fault === 'dropout' ? this.rng.int(1, 8) - 1 : 0;
    } else if (this.dropoutLeft > 0) {
      fault = 'dropout';
      this.dropoutLeft--;
    } else {
      fault = drawFault(this.rng, this.rate, READING_FAULTS);
      if (fault === 'dropout') this.dropoutLeft = this.rng.int(1, 8) - 1;
    }
    return fault;
  }
}

/** A device-day's readings as they are delivered into the batch: with their faults, late ones held back, all counted in the tally. */
class ReadingDelivery {
  private readonly held: HeldReading[] = [];
  /** Readings (of any shape) pushed so far: a held reading is late once one more came after it. */
  private pushed = 0;
  private readonly key: string;
  readonly prefix: string;

  constructor(
    private readonly user: SimUser,
    private readonly rng: Prng,
    private readonly batch: Batch,
    private readonly tally: Tally,
  ) {
    this.key = String(user.deviceId);
    this.prefix = `{"device_id":${user.deviceId},"time":`;
  }

  /** Whether the batch is full (the caller then yields it). */
  get full(): boolean {
    return this.batch.records.length >= BATCH;
  }

  /** The reading of second `t` with its fault: pushed (a duplicate twice, a truncated one before its whole copy), or held to come late. */
  deliver(t: number, value: string, fault: RecordFault | null): void {
    const out = this.batch.records;
    const bpm = this.tally.sources.bpm;
    const imp = this.tally.imperfections;
    switch (fault) {
      case 'late':
        this.held.push({ time: t, value, heldAt: this.pushed, releaseAt: this.pushed + this.rng.int(2, 120) });
        bpm.distinct++;
        return; // nothing pushed now
      case 'non_numeric_heartrate':
        // The garbled reading replaces the real one: this second has no valid record.
        out.push(this.reading(t, `${this.prefix}${t},"heartrate":${JSON.stringify(this.rng.pick(NON_NUMERIC))}}`, fault));
        bpm.records++;
        bpm.nonNumeric++;
        imp.non_numeric_heartrate++;
        break;
      case 'truncated_json':
        out.push({ ...this.reading(t, value, fault), cut: this.rng.range(0.2, 0.9) });
        out.push(this.reading(t, value, null));
        bpm.records += 2;
        bpm.distinct++;
        bpm.truncated++;
        imp.truncated_json++;
        break;
      case 'duplicate':
        out.push(this.reading(t, value, null), this.reading(t, value, fault));
        bpm.records += 2;
        bpm.distinct++;
        bpm.duplicates++;
        imp.duplicate++;
        break;
      case 'unknown_topic':
        out.push(this.reading(t, value, null));
        out.push({ kind: 'stream', stream: 'bpm', topic: UNKNOWN_TOPIC, key: this.key, value: `{"device_id":${this.user.deviceId},"time":${t},"battery":${this.rng.int(1, 100)}}`, time: t, fault });
        bpm.records++;
        bpm.distinct++;
        this.tally.sources.other_topics.records++;
        imp.unknown_topic++;
        break;
      default:
        // A good reading, or a dropout (heartrate 0: kept by the pipeline, flagged invalid).
        out.push(this.reading(t, value, fault));
        bpm.records++;
        bpm.distinct++;
    }
    this.pushed++;
    if (this.held.length > 0) this.release(false);
  }

  /** Held readings whose time has come (all of them at the end of the day), late when something came after them. */
  release(all: boolean): void {
    const held = this.held;
    for (let i = 0; i < held.length; ) {
      const h = held[i]!;
      if (!all && h.releaseAt > this.pushed) {
        i++;
        continue;
      }
      // Held as the device-day's last reading, nothing came after it: delivered in order after all.
      const late = this.pushed > h.heldAt;
      this.batch.records.push(this.reading(h.time, h.value, late ? 'late' : null));
      this.tally.sources.bpm.records++;
      if (late) this.tally.imperfections.late++;
      held.splice(i, 1);
    }
  }

  private reading(time: number, value: string, fault: RecordFault | null): StreamRecord {
    return { kind: 'stream', stream: 'bpm', topic: 'bpm', key: this.key, value, time, fault };
  }
}

/**
 * The readings of one device-day at 1 Hz over the worn window, minus gaps, with their imperfections,
 * appended to `batch`; yields whenever the batch is full (the caller hands it on and starts a new one).
 */
function* emitReadings(user: SimUser, day: DayPlan, hrRng: Prng, rng: Prng, rate: number, forced: ReadonlyMap<number, RecordFault> | undefined, batch: Batch, tally: Tally): Generator<void> {
  const imp = tally.imperfections;
  const trace = new HeartRateTrace(day, user.restingBpm, hrRng);
  const faults = new ReadingFaults(rng, rate, forced);
  const delivery = new ReadingDelivery(user, rng, batch, tally);
  for (const gap of day.gaps) {
    imp.gap++;
    tally.gapSeconds += gap.to - gap.from;
  }
  let gapIndex = 0;
  for (let t = day.wearStart; t < day.wearEnd; t++) {
    let hr = trace.at(t);
    const gap = day.gaps[gapIndex];
    if (gap && t >= gap.from) {
      // The heart goes on beating while the device is off: the trace runs through the gap, so the
      // readings after it are the same as without the gap.
      for (let s = t + 1; s < gap.to; s++) trace.at(s);
      t = gap.to - 1;
      gapIndex++;
      continue;
    }
    const fault = faults.next();
    if (fault === 'dropout') {
      hr = 0;
      imp.dropout++;
    }
    if (t < user.registeredAt && fault !== 'non_numeric_heartrate') imp.before_registration++;
    delivery.deliver(t, `${delivery.prefix}${t},"heartrate":${hr}}`, fault);
    if (delivery.full) yield;
  }
  delivery.release(true);
}
