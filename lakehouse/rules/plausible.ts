/**
 * Plausibility of source values: a value that parses can still be impossible, and kept it does harm (a
 * profile update dated 2255 wins over every real one for good; a logout before its login turns into a
 * visit in progress). Such a record is refused with its reason, as a malformed one is.
 *
 * - Event times lie in a window around ingestion: not before plausibility.earliestMicros (2000-01-01,
 *   long before any of these devices), not more than plausibility.futureMs after the wall clock (a day:
 *   clocks of devices and exporters drift, time zones get mixed up).
 * - Ids (users, devices, workouts, sessions, gyms) are positive.
 * Parsers check syntax; the steps ask these rules of what parsed (bronze for the CSV exports, silver for
 * the topic payloads), so a record is refused once with its reason.
 * Heart rates keep the spec's rule (valid = 0 < bpm < 300, an invalid reading kept and flagged; see
 * heart-rate-reading.ts): they are not refused here.
 */
import { formatTimestampIso } from '../time.ts';

export const plausibility = {
  earliestMicros: Date.UTC(2000, 0, 1) * 1000,
  futureMs: 24 * 3600 * 1000,
};

/** Why an event time (microseconds) is implausible, or undefined when it is not. */
export function eventTimeProblem(micros: number, label: string, nowMs = Date.now()): string | undefined {
  if (micros < plausibility.earliestMicros) return `${label}: ${formatTimestampIso(micros)} is before ${formatTimestampIso(plausibility.earliestMicros)}`;
  if (micros > (nowMs + plausibility.futureMs) * 1000) return `${label}: ${formatTimestampIso(micros)} is in the future (more than a day after ingestion)`;
  return undefined;
}

/** Why an id is implausible (not positive), or undefined when it is not. */
export function idProblem(id: number, label: string): string | undefined {
  return id > 0 ? undefined : `${label}: ${id} is not a positive id`;
}

/** Why a reading's device and time are implausible, or undefined. */
export function readingProblem(device_id: number, time: number, nowMs?: number): string | undefined {
  return idProblem(device_id, 'field device_id') ?? eventTimeProblem(time, 'field time', nowMs);
}

/** Why a workout event is implausible, or undefined. */
export function workoutProblem(e: { user_id: number; workout_id: number; session_id: number; time: number }): string | undefined {
  return idProblem(e.user_id, 'field user_id') ?? idProblem(e.workout_id, 'field workout_id') ?? idProblem(e.session_id, 'field session_id') ?? eventTimeProblem(e.time, 'field timestamp');
}

/** Why a profile change is implausible (its user, its time, a birth after it), or undefined. */
export function profileProblem(p: { user_id: number; updated: number; dob: number }): string | undefined {
  return idProblem(p.user_id, 'field user_id') ?? eventTimeProblem(p.updated, 'field timestamp') ?? (p.dob * 86_400_000_000 > p.updated ? 'field dob: after the update it came with' : undefined);
}
