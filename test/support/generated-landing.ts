/**
 * Generated landing zones for property tests: a few users with registrations (some repeated, one
 * replaced by an earlier registration of another device and MAC, so that a user's device changes when
 * that one lands last), profiles (with an update older than the stored one), workouts (with stops that
 * re-pair, stops beyond the bound and a late earlier start that moves a workout out of its gym visit),
 * overlapping gym visits and readings with conflicting values of one instant (valid, 0 and -1), from both
 * of a re-registered user's devices; cut into shuffled increments with duplicates. Seeded: the same seed
 * gives the same files.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { prng } from '../../simulator/landing-generator.ts';

/** A small seeded generator: the benchmark generator's mulberry32, so the same seed always gives the same data. */
export const random = prng;

export interface DataSet {
  registrations: string[];
  gymLogins: string[];
  kafka: string[];
}

const dump = (topic: string, key: number, value: object, offset: number, seconds: number) =>
  JSON.stringify({ key: String(key), value: JSON.stringify(value), topic, partition: 0, offset, timestamp: seconds });

export function generate(seed: number): DataSet {
  const rnd = random(seed);
  const data: DataSet = { registrations: [], gymLogins: [], kafka: [] };
  let offset = 0;
  const day0 = 1_678_406_400; // 2023-03-10T00:00:00Z
  for (let u = 0; u < 4; u++) {
    const userId = 20_000 + u;
    const device = 500_000 + u;
    const mac = `02:00:00:00:00:${String(10 + u).padStart(2, '0')}`;
    const registered = day0 + 3600 * (1 + u);
    data.registrations.push(`${userId},${device},${mac},${registered}`);
    // A second registration of the same user, later: it must lose whatever order it arrives in.
    if (u % 2 === 0) data.registrations.push(`${userId},${device + 90_000},02:00:00:00:99:${String(10 + u).padStart(2, '0')},${registered + 600}`);
    // User 1 first registered another device and MAC, ten minutes earlier: that registration wins. When it
    // lands after the other, the user's device and MAC change, and so must everything built from them.
    const earlier = u === 1 ? { device: device + 70_000, mac: `02:00:00:00:77:${String(10 + u).padStart(2, '0')}` } : undefined;
    if (earlier) data.registrations.push(`${userId},${earlier.device},${earlier.mac},${registered - 600}`);
    const dob = `0${1 + u}/15/${1950 + 15 * u}`;
    const profile = (kind: string, at: number, city: string) => ({ user_id: userId, update_type: kind, timestamp: at, dob, sex: 'F', gender: 'F', first_name: `U${u}`, last_name: 'Test', address: { street_address: '1 Main St', city, state: 'CA', zip: 90000 + u } });
    data.kafka.push(dump('user_info', userId, profile('new', registered, 'Los Angeles'), offset++, registered));
    data.kafka.push(dump('user_info', userId, profile('update', registered + 7200, `City ${Math.floor(rnd() * 100)}`), offset++, registered + 7200));
    // An update older than the one above: whenever it arrives, it must not win.
    data.kafka.push(dump('user_info', userId, profile('update', registered + 3600, `Old City ${Math.floor(rnd() * 100)}`), offset++, registered + 3600));
    for (let s = 1; s <= 2; s++) {
      const start = day0 + 86_400 * s + 3600 * (8 + u) + Math.floor(rnd() * 600);
      const stop = start + 1800 + Math.floor(rnd() * 3600);
      const gym = 1 + Math.floor(rnd() * 3);
      data.gymLogins.push(`${mac},${gym},${start - 300},${stop + 600}`);
      if (earlier) data.gymLogins.push(`${earlier.mac},${gym},${start - 240},${stop + 300}`);
      // Now and then a second visit at the same gym on the same date that also holds the start, with a
      // later login: the earlier login counts, whichever lands first.
      if (rnd() < 0.5) data.gymLogins.push(`${mac},${gym},${start - 120},${stop + 900}`);
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: start, action: 'start', session_id: s }, offset++, start));
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: stop, action: 'stop', session_id: s }, offset++, stop));
      // A second stop within the bound, later than the first: the workout ends at the first. When it
      // arrives first, the window is paired long and must shrink once the first stop lands.
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: stop + 900, action: 'stop', session_id: s }, offset++, stop + 900));
      // In the second session of user 2, a start 20 minutes earlier, before the gym login: the workout
      // starts then and lies in no visit; when this start lands last, its gym_summary row must go.
      if (u === 2 && s === 2) data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: start - 1200, action: 'start', session_id: s }, offset++, start - 1200));
      // A stop beyond the 3-hour bound: never pairs, whenever it arrives.
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: start + 4 * 3600, action: 'stop', session_id: s }, offset++, start + 4 * 3600));
      for (let t = start - 600; t <= stop + 600; t += 7) {
        data.kafka.push(dump('bpm', device, { device_id: device, time: t, heartrate: 60 + 100 * rnd() }, offset++, t));
        // Now and then a second, different reading for the same instant (a sensor glitch): another valid
        // one, a dropout's 0 or a device's -1. A valid reading beats an invalid one, then the lower stays.
        if (rnd() < 0.08) {
          const kind = rnd();
          const glitch = kind < 0.5 ? 60 + 100 * rnd() : kind < 0.75 ? 0 : -1;
          data.kafka.push(dump('bpm', device, { device_id: device, time: t, heartrate: glitch }, offset++, t));
        }
        if (earlier && rnd() < 0.5) data.kafka.push(dump('bpm', earlier.device, { device_id: earlier.device, time: t, heartrate: 60 + 100 * rnd() }, offset++, t));
      }
    }
  }
  // Records that cannot be kept, for quarantine: a line that is no JSON (bronze), a reading whose time
  // is no number and one without a device (silver heart_rate).
  data.kafka.push('{"this is": not json', dump('bpm', 500_000, { device_id: 500_000, time: 'soon', heartrate: 70 }, offset++, day0), dump('bpm', 500_001, { time: day0, heartrate: 71 }, offset++, day0));
  return data;
}

function shuffle<T>(items: T[], rnd: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Cut a list into `parts` slices after shuffling and duplicating a tenth of it. */
export function increments(lines: string[], parts: number, rnd: () => number): string[][] {
  const withDuplicates = [...lines, ...lines.filter(() => rnd() < 0.1)];
  const shuffled = shuffle(withDuplicates, rnd);
  const size = Math.ceil(shuffled.length / parts);
  return Array.from({ length: parts }, (_, i) => shuffled.slice(i * size, (i + 1) * size));
}

export async function land(landing: string, name: string, data: DataSet): Promise<void> {
  const write = async (folder: string, file: string, text: string) => {
    await mkdir(path.join(landing, folder), { recursive: true });
    await writeFile(path.join(landing, folder, file), text);
  };
  await write('registered_users', `${name}.csv`, ['user_id,device_id,mac_address,registration_timestamp', ...data.registrations].join('\n') + '\n');
  await write('gym_logins', `${name}.csv`, ['mac_address,gym,login,logout', ...data.gymLogins].join('\n') + '\n');
  await write('kafka', `${name}.json`, data.kafka.join('\n') + '\n');
}
