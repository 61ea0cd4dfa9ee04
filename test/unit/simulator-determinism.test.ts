/**
 * The simulator is deterministic by construction: the same options give the same files byte for byte,
 * another seed gives other data, and its PRNG streams depend only on seed and label.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createSimulation, LandingSink, Prng, runSimulation, type SimulationOptions } from '../../simulator/index.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Simulate into a fresh folder; every file's key and SHA-256, sorted, plus the manifest. */
async function simulateToFolder(options: SimulationOptions, linesPerFile = 20_000) {
  const root = await mkdtemp(path.join(os.tmpdir(), 'fitlake-sim-'));
  dirs.push(root);
  const { manifest, report } = await runSimulation(createSimulation(options), new LandingSink({ root, tag: 'sim', linesPerFile }));
  const entries = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
  const files: string[] = [];
  for (const e of entries) {
    const full = path.join(e.parentPath, e.name);
    files.push(`${path.relative(root, full)} ${createHash('sha256').update(await readFile(full)).digest('hex')}`);
  }
  return { files: files.sort(), manifest, report };
}

const SMALL: SimulationOptions = { users: 3, days: 2, seed: 42, imperfections: 0.05, wearHours: 3 };

describe('simulator determinism', () => {
  it('gives byte-identical files and manifests for the same options', async () => {
    const a = await simulateToFolder(SMALL);
    const b = await simulateToFolder(SMALL);
    assert.deepEqual(a.files, b.files);
    assert.deepEqual(a.manifest, b.manifest);
    // The run is large enough to cut the heart-rate stream into several files, all whole.
    assert.ok(a.report.files.filter((f) => f.key.startsWith('kafka/bpm-')).length >= 2, JSON.stringify(a.report.files));
    assert.ok(a.files.every((f) => !f.includes('fitlake-tmp')), 'no temp file is left behind');
  });

  it('gives other data for another seed', async () => {
    const a = await simulateToFolder(SMALL);
    const b = await simulateToFolder({ ...SMALL, seed: 43 });
    const hashes = (files: string[]) => new Set(files.map((f) => f.split(' ')[1]));
    const shared = [...hashes(a.files)].filter((h) => hashes(b.files).has(h));
    assert.deepEqual(shared, [], 'no file of seed 42 is identical to one of seed 43');
    assert.notDeepEqual(a.manifest.imperfections, b.manifest.imperfections);
  });

  it('makes the same readings whatever the imperfection rate (imperfections draw from streams of their own)', async () => {
    const readings = async (imperfections: number) => {
      const simulation = createSimulation({ ...SMALL, imperfections });
      const out = new Map<string, string>();
      for await (const r of simulation.records()) {
        if (r.kind === 'stream' && r.topic === 'bpm' && r.fault === null) out.set(`${r.key}@${r.time}`, r.value);
      }
      return { out, tally: simulation.tally };
    };
    const clean = await readings(0);
    const imperfect = await readings(0.05);
    for (const [k, v] of imperfect.out) assert.equal(v, clean.out.get(k), k);
    // The only readings missing are those the imperfections took: gaps, dropouts, garbled values, late ones.
    const { dropout, non_numeric_heartrate, late } = imperfect.tally.imperfections;
    assert.equal(imperfect.out.size, clean.out.size - imperfect.tally.gapSeconds - dropout - non_numeric_heartrate - late);
  });
});

describe('Prng', () => {
  it('repeats its sequence for a seed and differs for another', () => {
    const draw = (seed: number) => {
      const r = Prng.fromSeed(seed);
      return Array.from({ length: 5 }, () => r.uint32());
    };
    assert.deepEqual(draw(1), draw(1));
    assert.notDeepEqual(draw(1), draw(2));
    // Seeds beyond 32 bits count too.
    assert.notDeepEqual(draw(2 ** 40), draw(2 ** 40 + 2 ** 32));
  });

  it('forks by label, independently of what the parent has drawn', () => {
    const a = Prng.fromSeed(9);
    const b = Prng.fromSeed(9);
    for (let i = 0; i < 100; i++) b.float();
    assert.equal(a.fork('x').uint32(), b.fork('x').uint32());
    assert.notEqual(a.fork('x').uint32(), a.fork('y').uint32());
  });

  it('draws integers within bounds and roughly uniform floats and normals', () => {
    const r = Prng.fromSeed(123);
    const n = 100_000;
    let sum = 0;
    let sumSq = 0;
    let normalSum = 0;
    let normalSq = 0;
    const counts = [0, 0, 0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const f = r.float();
      assert.ok(f >= 0 && f < 1);
      sum += f;
      sumSq += f * f;
      const k = r.int(1, 6);
      counts[k - 1]!++;
      const z = r.normal();
      normalSum += z;
      normalSq += z * z;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    assert.ok(Math.abs(sumSq / n - 1 / 3) < 0.01);
    for (const c of counts) assert.ok(Math.abs(c / n - 1 / 6) < 0.01, String(counts));
    assert.ok(Math.abs(normalSum / n) < 0.02);
    assert.ok(Math.abs(normalSq / n - 1) < 0.03);
  });

  it('lands a period one day at a time (onlyDay) with exactly the records and counts of a whole run', async () => {
    const period: SimulationOptions = { users: 4, days: 3, seed: 9, imperfections: 0.05, wearHours: 3 };
    const pass = async (options: SimulationOptions) => {
      const simulation = createSimulation(options);
      const records: string[] = [];
      const sessions = new Set<string>();
      for await (const r of simulation.records()) {
        records.push(JSON.stringify(r));
        if (r.kind === 'stream' && r.topic === 'workout' && r.fault === null && r.value.includes('"start"')) {
          const { user_id, workout_id, session_id } = JSON.parse(r.value) as Record<string, number>;
          sessions.add(`${user_id}/${workout_id}/${session_id}`);
        }
      }
      const { profileUsers, ...counts } = simulation.tally;
      return { records, sessions, counts, profileUsers };
    };
    const whole = await pass(period);
    const days = [];
    for (let day = 0; day < 3; day++) days.push(await pass({ ...period, onlyDay: day }));

    assert.deepEqual(days.flatMap((d) => d.records).sort(), [...whole.records].sort());
    for (const d of days) assert.ok(d.records.some((r) => r.includes('"topic":"bpm"')), 'every day has readings');
    // The sessions of one user continue from day to day: a day never repeats a session of another.
    const sessionDays = days.flatMap((d) => [...d.sessions]);
    assert.ok(sessionDays.length > 3, `sessions on the days: ${sessionDays.length}`);
    assert.equal(new Set(sessionDays).size, sessionDays.length);
    // The counts of the days add up to those of the whole run.
    const summed = days.map((d) => d.counts).reduce((a, b) => addCounts(a, b));
    assert.deepEqual(summed, whole.counts);
    assert.equal(whole.profileUsers, 4);
  });

  it('refuses a day outside the period', () => {
    assert.throws(() => createSimulation({ days: 2, onlyDay: 2 }), /onlyDay/);
    assert.throws(() => createSimulation({ days: 2, onlyDay: -1 }), /onlyDay/);
  });

  it('refuses a seed that is not a non-negative safe integer', () => {
    assert.throws(() => Prng.fromSeed(-1), RangeError);
    assert.throws(() => Prng.fromSeed(1.5), RangeError);
    assert.throws(() => createSimulation({ users: 0 }), /users/);
    assert.throws(() => createSimulation({ imperfections: 2 }), /imperfections/);
    assert.throws(() => createSimulation({ start: '2023-02-30' }), /start/);
  });
});

/** Every count of `b` added to `a`'s, as a new object of the same shape. */
function addCounts<T>(a: T, b: T): T {
  if (typeof a === 'number') return (a + (b as number)) as T;
  const sum = {} as Record<string, unknown>;
  for (const [key, value] of Object.entries(a as Record<string, unknown>)) sum[key] = addCounts(value, (b as Record<string, unknown>)[key]);
  return sum as T;
}
