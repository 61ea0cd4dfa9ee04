/**
 * The heart-rate model: a level that follows the activity, plus slowly wandering noise. At rest the
 * level is the user's resting rate (55-75) with a small swing over the day; in a session's warm-up it
 * rises in a straight line to the exercise level (120-175, lower for older users, see plan.ts); during
 * exercise it stays there with a few beats of interval swing; after the stop it decays exponentially back
 * to rest. The noise is an AR(1) process per device-day, so consecutive seconds are close, as on a
 * real sensor.
 */
import type { DayPlan, Session } from './plan.ts';
import type { Prng } from './prng.ts';

/** What the wearer is doing at a moment. */
export type Phase = 'rest' | 'warmup' | 'exercise' | 'recovery';

const TWO_PI = 2 * Math.PI;
/** AR(1) noise: each second keeps this share of the last second's deviation... */
const NOISE_MEMORY = 0.98;
/** ...and adds a normal step of this size (stationary spread about 2.5 beats). */
const NOISE_STEP = 0.5;
/** No sensor reports a living wearer below this (a dropout reports 0 instead, see generate.ts). */
const FLOOR_BPM = 35;

/** The session whose time (start to end of recovery) contains t, if any. */
export function sessionAt(day: DayPlan, t: number): Session | undefined {
  return day.sessions.find((s) => t >= s.start && t < s.recoveryEnd);
}

/** The phase at time t of a day (rest outside sessions). */
export function phaseAt(day: DayPlan, t: number): Phase {
  const s = sessionAt(day, t);
  if (!s) return 'rest';
  return t < s.warmupEnd ? 'warmup' : t <= s.stop ? 'exercise' : 'recovery';
}

/** The level (before noise) at time t, given the session around t (undefined at rest). */
export function levelAt(restingBpm: number, session: Session | undefined, t: number): number {
  const rest = restingBpm + 3 * Math.sin((TWO_PI * (t % 86_400)) / 86_400 - 2);
  if (!session) return rest;
  if (t < session.warmupEnd) return rest + ((session.exerciseBpm - rest) * (t - session.start)) / (session.warmupEnd - session.start);
  if (t <= session.stop) return session.exerciseBpm + 4 * Math.sin((TWO_PI * (t - session.warmupEnd)) / 300);
  return rest + (session.exerciseBpm - rest) * Math.exp(-(t - session.stop) / session.recoveryTau);
}

/** The readings of one device-day, second by second: the level plus AR(1) noise, to two decimals. */
export class HeartRateTrace {
  private deviation = 0;
  private next = 0;

  constructor(
    private readonly day: DayPlan,
    private readonly restingBpm: number,
    private readonly rng: Prng,
  ) {}

  /** The reading at t; calls must come with increasing t (the session search resumes where it was). */
  at(t: number): number {
    const sessions = this.day.sessions;
    while (this.next < sessions.length && t >= sessions[this.next]!.recoveryEnd) this.next++;
    const candidate = sessions[this.next];
    const session = candidate && t >= candidate.start ? candidate : undefined;
    this.deviation = NOISE_MEMORY * this.deviation + NOISE_STEP * this.rng.normal();
    const bpm = Math.max(FLOOR_BPM, levelAt(this.restingBpm, session, t) + this.deviation);
    return Math.round(bpm * 100) / 100;
  }
}
