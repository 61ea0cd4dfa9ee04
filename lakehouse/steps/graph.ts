/**
 * The pipeline as data: every step with the tables it reads and writes. Stages follow from the reads:
 * a step runs after every step that writes a table it reads. The orchestrator walks the stages, running
 * the steps of a stage in parallel; tests run them in order.
 */
import { tablePath } from '../../schema/types.ts';
import { ConfigError } from '../errors.ts';
import { bronzeGymLogins } from './bronze/gym-logins.ts';
import { bronzeKafkaFiles } from './bronze/kafka-files.ts';
import { bronzeKafkaTopics } from './bronze/kafka-topics.ts';
import { bronzeRegisteredUsers } from './bronze/registered-users.ts';
import { goldGymSummary } from './gold/gym-summary.ts';
import { goldWorkoutBpmSummary } from './gold/workout-bpm-summary.ts';
import { silverCompletedWorkouts } from './silver/completed-workouts.ts';
import { silverGymLogs } from './silver/gym-logs.ts';
import { silverHeartRate } from './silver/heart-rate.ts';
import { silverUserBins } from './silver/user-bins.ts';
import { silverUserProfile } from './silver/user-profile.ts';
import { silverUsers } from './silver/users.ts';
import { silverWorkoutBpm } from './silver/workout-bpm.ts';
import { silverWorkouts } from './silver/workouts.ts';
import type { Step } from './step.ts';

export const STEPS: readonly Step[] = [
  bronzeRegisteredUsers,
  bronzeGymLogins,
  bronzeKafkaFiles,
  bronzeKafkaTopics,
  silverUsers,
  silverGymLogs,
  silverUserProfile,
  silverWorkouts,
  silverHeartRate,
  silverUserBins,
  silverCompletedWorkouts,
  silverWorkoutBpm,
  goldWorkoutBpmSummary,
  goldGymSummary,
];

export function stepByName(name: string): Step {
  const step = STEPS.find((s) => s.name === name);
  // A configuration error: no retry can make the step exist.
  if (!step) throw new ConfigError(`no step ${name} (steps: ${STEPS.map((s) => s.name).join(', ')})`, { setting: 'step', value: name });
  return step;
}

/**
 * The steps in stages: stage n holds the steps whose inputs are all written by earlier stages. Two
 * steps writing the same table (the two kafka_multiplex_bz sources) share a stage: their appends do
 * not conflict.
 */
export function stages(steps: readonly Step[] = STEPS): Step[][] {
  const writers = new Map<string, Step[]>();
  for (const s of steps) for (const t of s.writes) writers.set(tablePath(t), [...(writers.get(tablePath(t)) ?? []), s]);
  const level = new Map<Step, number>();
  const visiting = new Set<Step>();
  const depth = (s: Step): number => {
    const known = level.get(s);
    if (known !== undefined) return known;
    if (visiting.has(s)) throw new Error(`the step graph has a cycle through ${s.name}`);
    visiting.add(s);
    let d = 0;
    for (const input of s.reads) {
      for (const w of writers.get(tablePath(input)) ?? []) if (w !== s) d = Math.max(d, depth(w) + 1);
    }
    visiting.delete(s);
    level.set(s, d);
    return d;
  };
  const out: Step[][] = [];
  for (const s of steps) (out[depth(s)] ??= []).push(s);
  return out.filter(Boolean);
}

/** The step and every step downstream of it (for reprocessing). */
export function downstreamOf(name: string, steps: readonly Step[] = STEPS): Step[] {
  const start = stepByName(name);
  const result = new Set<Step>([start]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of steps) {
      if (result.has(s)) continue;
      const reads = s.reads.map(tablePath);
      if ([...result].some((u) => u.writes.some((w) => reads.includes(tablePath(w))))) {
        result.add(s);
        grew = true;
      }
    }
  }
  return steps.filter((s) => result.has(s));
}
