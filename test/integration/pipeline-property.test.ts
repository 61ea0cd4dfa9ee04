/**
 * Property: the pipeline's tables depend on the data, not on how it arrives. A generated data set is fed
 * in small increments in shuffled order with duplicates and late arrivals (stops before starts, a later
 * stop before the earlier one, readings before their device's registration, profile updates older than
 * the stored one, conflicting readings of one instant, valid and invalid: dropouts' 0 and devices' -1,
 * overlapping gym visits). After every increment, every table, bronze and quarantine included (load
 * times aside), equals that of a fresh lake given the same files in one run. Seeds 1-3 by default;
 * FITLAKE_PROPERTY_SEEDS=100 runs a hundred interleavings. No services needed, only the disk.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { allTables } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { makeTestLake, tableLines } from '../support/pipeline.ts';

/** A small seeded generator (mulberry32): the same seed always gives the same data. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface DataSet {
  registrations: string[];
  gymLogins: string[];
  kafka: string[];
}

const dump = (topic: string, key: number, value: object, offset: number, seconds: number) =>
  JSON.stringify({ key: String(key), value: JSON.stringify(value), topic, partition: 0, offset, timestamp: seconds });

function generate(seed: number): DataSet {
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
      // Now and then a second visit at the same gym on the same date that also holds the start, with a
      // later login: the earlier login counts, whichever lands first.
      if (rnd() < 0.5) data.gymLogins.push(`${mac},${gym},${start - 120},${stop + 900}`);
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: start, action: 'start', session_id: s }, offset++, start));
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: stop, action: 'stop', session_id: s }, offset++, stop));
      // A second stop within the bound, later than the first: the workout ends at the first. When it
      // arrives first, the window is paired long and must shrink once the first stop lands.
      data.kafka.push(dump('workout', userId, { user_id: userId, workout_id: s, timestamp: stop + 900, action: 'stop', session_id: s }, offset++, stop + 900));
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
      }
    }
  }
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
function increments(lines: string[], parts: number, rnd: () => number): string[][] {
  const withDuplicates = [...lines, ...lines.filter(() => rnd() < 0.1)];
  const shuffled = shuffle(withDuplicates, rnd);
  const size = Math.ceil(shuffled.length / parts);
  return Array.from({ length: parts }, (_, i) => shuffled.slice(i * size, (i + 1) * size));
}

async function land(landing: string, name: string, data: DataSet): Promise<void> {
  const write = async (folder: string, file: string, text: string) => {
    await mkdir(path.join(landing, folder), { recursive: true });
    await writeFile(path.join(landing, folder, file), text);
  };
  await write('registered_users', `${name}.csv`, ['user_id,device_id,mac_address,registration_timestamp', ...data.registrations].join('\n') + '\n');
  await write('gym_logins', `${name}.csv`, ['mac_address,gym,login,logout', ...data.gymLogins].join('\n') + '\n');
  await write('kafka', `${name}.json`, data.kafka.join('\n') + '\n');
}

const COMPARED = allTables;
/** Every column but the load time (the time of the run, which differs between the two lakes). */
const columnsOf = (def: TableDef) => def.columns.map((c) => c.name).filter((c) => c !== 'load_time');

const seeds = Array.from({ length: Number(process.env.FITLAKE_PROPERTY_SEEDS ?? 3) }, (_, i) => i + 1);

for (const seed of seeds) {
  test(`seed ${seed}: after every shuffled increment the tables equal one run over the same files`, async () => {
    const data = generate(seed);
    const parts = 6;
    const rnd = random(seed * 7919);
    const reg = increments(data.registrations, parts, rnd);
    const gym = increments(data.gymLogins, parts, rnd);
    const kafka = increments(data.kafka, parts, rnd);
    const piecewise = await makeTestLake('fitlake-prop-parts-');
    for (let i = 0; i < parts; i++) {
      await land(piecewise.landingDir, `part-${i}`, { registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
      await runPipeline(piecewise.ctx);
      const whole = await makeTestLake('fitlake-prop-whole-');
      for (let j = 0; j <= i; j++) await land(whole.landingDir, `part-${j}`, { registrations: reg[j]!, gymLogins: gym[j]!, kafka: kafka[j]! });
      await runPipeline(whole.ctx);
      for (const def of COMPARED) {
        const expected = await tableLines(whole.lake, def, columnsOf(def));
        if (i === parts - 1 && def.name !== 'records') assert.ok(expected.length > 0, `${def.name} is empty: the generated data does not exercise it`);
        assert.deepEqual(await tableLines(piecewise.lake, def, columnsOf(def)), expected, `increment ${i}: ${def.layer}/${def.name}`);
      }
      await rm(whole.dir, { recursive: true, force: true });
    }
    await rm(piecewise.dir, { recursive: true, force: true });
  });
}
