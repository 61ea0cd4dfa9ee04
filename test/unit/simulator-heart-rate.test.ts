/** The simulated heart rate follows the activity: rest, a rising warm-up, exercise by age, a decaying recovery. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBpm } from '../../lakehouse/parse/payloads.ts';
import { createSimulation, phaseAt, type Phase, type SimUser } from '../../simulator/index.ts';

interface Stats {
  n: number;
  sum: number;
}
const mean = (s: Stats) => s.sum / s.n;

describe('simulated heart rate', () => {
  it('is highest during exercise, lower in the warm-up, lowest at rest, and decays in recovery', async () => {
    const simulation = createSimulation({ users: 6, days: 2, seed: 11, imperfections: 0, wearHours: 5 });
    const byDevice = new Map<number, SimUser>(simulation.users.map((u) => [u.deviceId, u]));
    const phases: Record<Phase, Stats> = { rest: { n: 0, sum: 0 }, warmup: { n: 0, sum: 0 }, exercise: { n: 0, sum: 0 }, recovery: { n: 0, sum: 0 } };
    // Recovery split into its first and last five minutes (it lasts 15).
    const early: Stats = { n: 0, sum: 0 };
    const late: Stats = { n: 0, sum: 0 };
    const restOf = new Map<number, Stats>();
    for await (const r of simulation.records()) {
      if (r.kind !== 'stream' || r.stream !== 'bpm') continue;
      const parsed = parseBpm(r.value);
      assert.ok(parsed.ok, r.value);
      const user = byDevice.get(parsed.row.device_id)!;
      const t = parsed.row.time / 1_000_000;
      const day = user.days[Math.floor((t - simulation.settings.startSeconds) / 86_400)]!;
      const hr = parsed.row.heartrate;
      const phase = phaseAt(day, t);
      phases[phase].n++;
      phases[phase].sum += hr;
      if (phase === 'rest') {
        const s = restOf.get(user.index) ?? { n: 0, sum: 0 };
        s.n++;
        s.sum += hr;
        restOf.set(user.index, s);
      }
      if (phase === 'recovery') {
        const stop = day.sessions.find((s) => t > s.stop && t < s.recoveryEnd)!.stop;
        const stats = t - stop <= 300 ? early : t - stop > 600 ? late : undefined;
        if (stats) {
          stats.n++;
          stats.sum += hr;
        }
      }
    }
    for (const p of Object.keys(phases) as Phase[]) assert.ok(phases[p].n > 1000, `${p}: ${phases[p].n} readings`);
    const m = (p: Phase) => mean(phases[p]);
    assert.ok(m('exercise') > m('warmup') && m('warmup') > m('rest'), `exercise ${m('exercise')}, warm-up ${m('warmup')}, rest ${m('rest')}`);
    assert.ok(m('exercise') >= 120 && m('exercise') <= 175, `exercise mean ${m('exercise')}`);
    assert.ok(mean(early) > mean(late) && mean(late) > m('rest') - 5, `recovery ${mean(early)} then ${mean(late)}`);
    for (const [user, s] of restOf) assert.ok(mean(s) > 50 && mean(s) < 80, `user ${user} rests at ${mean(s)}`);
  });

  it('sets the exercise level by age: 120-175, lower for older users', () => {
    const simulation = createSimulation({ users: 60, days: 3, seed: 5, imperfections: 0 });
    const sessions = simulation.users.flatMap((u) => u.days.flatMap((d) => d.sessions.map((s) => ({ age: u.person.age, bpm: s.exerciseBpm }))));
    assert.ok(sessions.length > 60);
    for (const s of sessions) assert.ok(s.bpm >= 120 && s.bpm <= 175, JSON.stringify(s));
    const average = (list: typeof sessions) => list.reduce((a, s) => a + s.bpm, 0) / list.length;
    const young = sessions.filter((s) => s.age < 35);
    const old = sessions.filter((s) => s.age >= 65);
    assert.ok(young.length > 0 && old.length > 0);
    assert.ok(average(young) > average(old) + 10, `young ${average(young)}, old ${average(old)}`);
  });
});
