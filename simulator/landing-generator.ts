/**
 * A deterministic landing zone in the SBIT formats, sized at will, for the pipeline benchmark:
 * registration and gym-login CSV exports, user_info and workout Kafka dumps, and heart-rate readings at
 * 1 Hz per device in Kafka-dump JSON lines cut into files of ~1M lines.
 *
 * Everything follows from a seed. Heart rates are a hash of (device, second), so the expected content of
 * workout_bpm can be recomputed reading by reading without keeping anything (see expectedWorkout*). The
 * data holds the cases the semantics care about: readings of unregistered devices, invalid heart rates
 * (0 < hr < 300 fails), repeated readings (a later copy with a higher rate, sometimes in the next file:
 * the lower one is kept), a user registering twice (the first registration wins), profile updates,
 * sessions without a stop and stops more than 3 hours after their start (not completed).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';

export interface GeneratorOptions {
  readings: number;
  users: number;
  seed: number;
  linesPerFile: number;
}

/** A completed workout as the generator planned it (times in epoch seconds). */
export interface PlannedWorkout {
  user: number;
  device: number;
  workout: number;
  session: number;
  start: number;
  end: number;
}

export interface GeneratedLanding {
  /** Heart-rate lines written (readings plus repeats). */
  bpmLines: number;
  /** Distinct (device, second) readings. */
  readings: number;
  files: number;
  bytes: number;
  /** Completed workouts of users with a registered device and a profile. */
  workouts: PlannedWorkout[];
  /** First second and number of seconds of the readings. */
  t0: number;
  seconds: number;
  devices: number;
}

const T0 = 1_678_406_400; // 2023-03-10T00:00:00Z, the SBIT week
const MIN_DURATION = 10 * 60;
/** Gaps between a user's sessions: 2 to 12 hours, so workouts hold a realistic few percent of the readings. */
const MIN_SESSION_GAP = 2 * 3600;
const MAX_SESSION_GAP = 12 * 3600;
const FIRST_START_WITHIN = 8 * 3600;

/** 32-bit mix of up to three integers (lowbias32 over a running combination): the hash behind every "random" reading. */
export function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0xc2b2ae35, 0x27d4eb2f) ^ Math.imul(c ^ 0x165667b1, 0x7feb352d);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded PRNG (mulberry32): uniform numbers in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Whether the reading of a device at a second is an invalid one (~0.5%). */
export function isInvalidReading(seed: number, device: number, t: number): boolean {
  return hash3(seed ^ 0x51ed27, device, t) % 1000 < 5;
}

/** Whether a reading is sent a second time later (~0.3%, valid readings only). */
function isRepeated(seed: number, device: number, t: number): boolean {
  return hash3(seed ^ 0x2f6b1c, device, t) % 1000 < 3;
}

/** The heart rate a device reports at a second: a full-precision double in [40, 180), or an invalid value. */
export function heartRateAt(seed: number, device: number, t: number): number {
  if (isInvalidReading(seed, device, t)) return [0, -1, 300, 312.5][hash3(seed, device, t) & 3]!;
  const u = hash3(seed, device, t) / 4294967296 + hash3(seed ^ 0x7a3d, device, t) / 18446744073709551616;
  return 40 + 140 * u;
}

/** Sequence numbers of devices and users: device ids like SBIT's six-digit ones. */
const deviceOf = (i: number) => 100_000 + i * 7;
const userOf = (i: number) => 10_000 + i;
const macOf = (i: number) => Array.from({ length: 6 }, (_, k) => ((hash3(i, k, 0x3ac) & 0xff) | (k === 0 ? 2 : 0)).toString(16).padStart(2, '0')).join(':');

class LineFile {
  private stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;
  bytes = 0;

  constructor(file: string) {
    this.stream = createWriteStream(file);
  }

  async push(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size > 4 << 20) await this.drain();
  }

  private async drain(): Promise<void> {
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    this.bytes += Buffer.byteLength(text);
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    if (this.buffer.length > 0) await this.drain();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

/** A Kafka dump line, as the SBIT dumps write them (no spaces outside the value). */
function dumpLine(key: string, value: string, topic: string, offset: number, timestamp: number): string {
  return `{"key":"${key}","value":"${value.replaceAll('"', '\\"')}","topic":"${topic}","partition":0,"offset":${offset},"timestamp":${timestamp}}`;
}

/** Write the landing zone under `dir` (registered_users/, gym_logins/, kafka/). */
export async function generateLanding(dir: string, options: GeneratorOptions): Promise<GeneratedLanding> {
  const { readings, users, seed, linesPerFile } = options;
  const random = prng(seed);
  for (const folder of ['registered_users', 'gym_logins', 'kafka']) await mkdir(path.join(dir, folder), { recursive: true });
  // ~4% of the devices sending readings are not registered to anyone.
  const devices = users + Math.max(1, Math.round(users * 0.04));
  const seconds = Math.ceil(readings / devices);
  // Seconds every device sends a reading in: workouts are planned inside them.
  const fullSeconds = Math.floor(readings / devices);
  const registered = users; // device i belongs to user i for i < users
  let bytes = 0;

  // Registrations: user i has device i; one user in 50 registers again later with another device (ignored).
  const registrations = ['user_id,device_id,mac_address,registration_timestamp'];
  for (let i = 0; i < registered; i++) registrations.push(`${userOf(i)},${deviceOf(i)},${macOf(i)},${T0 - 86_400 + i}`);
  for (let i = 0; i < registered; i += 50) registrations.push(`${userOf(i)},${deviceOf(devices + i)},${macOf(devices + i)},${T0 - 3600 + i}`);
  const registrationText = registrations.join('\n') + '\n\n';
  await writeFile(path.join(dir, 'registered_users', 'registered_users_1.csv'), registrationText);
  bytes += registrationText.length;

  // Profiles: a `new` record per user, an `update` (later, new city) for one in 10.
  const profiles = new LineFile(path.join(dir, 'kafka', 'user_info_1.json'));
  const cities = ['San Fernando', 'Long Beach', 'Los Angeles', 'Santa Monica', 'Gardena', 'Toluca Lake'];
  let offset = 0;
  for (let i = 0; i < registered; i++) {
    const dob = `${String(1 + (hash3(seed, i, 1) % 12)).padStart(2, '0')}/${String(1 + (hash3(seed, i, 2) % 28)).padStart(2, '0')}/${1930 + (hash3(seed, i, 3) % 75)}`;
    const gender = hash3(seed, i, 4) & 1 ? 'M' : 'F';
    const profile = (kind: string, time: number, city: string) =>
      JSON.stringify({ user_id: userOf(i), update_type: kind, timestamp: time, dob, sex: gender, gender, first_name: `First${i}`, last_name: `Last${i}`, address: { street_address: `${i} Main St`, city, state: 'CA', zip: 90_000 + (i % 1000) } }).replaceAll('":', '": ').replaceAll(',"', ', "');
    await profiles.push(dumpLine(String(userOf(i)), profile('new', T0 - 86_400 + i, cities[i % cities.length]!), 'user_info', offset++, T0 - 86_400 + i));
    if (i % 10 === 0) await profiles.push(dumpLine(String(userOf(i)), profile('update', T0 - 7200 + i, cities[(i + 1) % cities.length]!), 'user_info', offset++, T0 - 7200 + i));
  }
  await profiles.close();
  bytes += profiles.bytes;

  // Workouts: sessions one after the other within the readings' span; 1 in 12 without a stop, 1 in 15
  // stopping after more than 3 hours (neither is completed); each completed one inside a gym visit.
  const events: { user: number; time: number; line: (offset: number) => string }[] = [];
  const planned: PlannedWorkout[] = [];
  const logins = ['mac_address,gym,login,logout'];
  for (let i = 0; i < users; i++) {
    let at = T0 + Math.floor(random() * Math.min(FIRST_START_WITHIN, fullSeconds / 2));
    for (let session = 1; ; session++) {
      const kind = random();
      const duration = kind < 1 / 15 ? 3 * 3600 + 60 + Math.floor(random() * 600) : MIN_DURATION + Math.floor(random() * 100 * 60);
      if (at + duration >= T0 + fullSeconds) break;
      const workout = 1 + (session % 3);
      const event = (action: string, time: number) => ({
        user: userOf(i),
        time,
        line: (o: number) => dumpLine(String(userOf(i)), `{"user_id": ${userOf(i)}, "workout_id": ${workout}, "timestamp": ${time}.0, "action": "${action}", "session_id": ${session}}`, 'workout', o, time),
      });
      events.push(event('start', at));
      const stops = kind >= 1 / 15 + 1 / 12 || kind < 1 / 15;
      if (stops) events.push(event('stop', at + duration));
      if (stops && kind >= 1 / 15) {
        planned.push({ user: userOf(i), device: deviceOf(i), workout, session, start: at, end: at + duration });
        logins.push(`${macOf(i)},${1 + (hash3(seed, i, session) % 5)},${at - Math.floor(random() * 900)},${at + duration + Math.floor(random() * 900)}`);
      }
      at += duration + MIN_SESSION_GAP + Math.floor(random() * (MAX_SESSION_GAP - MIN_SESSION_GAP));
    }
  }
  events.sort((a, b) => a.time - b.time || a.user - b.user);
  const workoutFile = new LineFile(path.join(dir, 'kafka', 'workout_1.json'));
  offset = 0;
  for (const e of events) await workoutFile.push(e.line(offset++));
  await workoutFile.close();
  bytes += workoutFile.bytes;
  const loginText = logins.join('\n') + '\n';
  await writeFile(path.join(dir, 'gym_logins', 'gym_logins_1.csv'), loginText);
  bytes += loginText.length;

  // Readings: second by second, every device once per second; a repeat follows 1–1200 s later.
  let bpmLines = 0;
  let files = 0;
  let file: LineFile | undefined;
  const pendingRepeats = new Map<number, { device: number; t: number }[]>();
  const emit = async (device: number, t: number, heartrate: number, sentAt: number) => {
    if (!file || bpmLines % linesPerFile === 0) {
      if (file) {
        await file.close();
        bytes += file.bytes;
      }
      file = new LineFile(path.join(dir, 'kafka', `bpm_${String(files++).padStart(4, '0')}.json`));
    }
    await file.push(dumpLine(String(device), `{"device_id":${device},"time":${t},"heartrate":${heartrate}}`, 'bpm', 1_000_000 + bpmLines, sentAt));
    bpmLines++;
  };
  let written = 0;
  for (let s = 0; s < seconds && written < readings; s++) {
    const t = T0 + s;
    for (let d = 0; d < devices && written < readings; d++) {
      const device = deviceOf(d);
      await emit(device, t, heartRateAt(seed, device, t), t);
      written++;
      if (isRepeated(seed, device, t) && !isInvalidReading(seed, device, t)) {
        const later = t + 1 + (hash3(seed ^ 0x11, device, t) % 1200);
        const list = pendingRepeats.get(later) ?? [];
        list.push({ device, t });
        pendingRepeats.set(later, list);
      }
    }
    for (const r of pendingRepeats.get(t) ?? []) await emit(r.device, r.t, heartRateAt(seed, r.device, r.t) + 1, t);
    pendingRepeats.delete(t);
  }
  for (const [at, list] of [...pendingRepeats].sort((a, b) => a[0] - b[0])) for (const r of list) await emit(r.device, r.t, heartRateAt(seed, r.device, r.t) + 1, at);
  if (file) {
    await file.close();
    bytes += file.bytes;
  }
  return { bpmLines, readings: written, files: files + 4, bytes, workouts: planned, t0: T0, seconds, devices };
}

/** The number of readings workout_bpm must hold for a planned workout: valid seconds in (start, end]. */
export function expectedWorkoutCount(seed: number, w: PlannedWorkout): number {
  let n = 0;
  for (let t = w.start + 1; t <= w.end; t++) if (!isInvalidReading(seed, w.device, t)) n++;
  return n;
}
