/**
 * Conflicting readings for the benchmarks' landing zones (reshape-landing.ts --conflicts) and what the
 * check after a run expects of them (verify-generated.ts). For a small fraction of the instants
 * (device_id, time) the landing zone gets, beside the original reading, an exact copy of its record
 * and/or other readings of the same instant with another heart rate: a lower valid one, an invalid one
 * (0 or 300), or, for an instant whose original reading is invalid, a valid one.
 *
 * Which instants conflict and how follows from (device_id, time) and the original heart rate alone, so
 * the reshaper needs no generator seed and the check recomputes it reading by reading. The expected
 * reading of an instant is the spec's choice over all its heart rates (../shared/sbit/README.md,
 * heart_rate): a valid one beats an invalid one, and of two valid (or two invalid) ones the lower stays,
 * whatever the order the records arrive in.
 */
import { hash3 } from '../simulator/landing-generator.ts';

const CONFLICT_SALT = 0x6c0f1c7;
const RESCUE_SALT = 0x3e5c0e;

/** Extra records of one instant beside its original reading. */
export interface ReadingConflict {
  /** The original record once more, byte for byte (a redelivery). */
  duplicate: boolean;
  /** Heart rates of further readings of the same instant, in the order they are written. */
  others: number[];
}

/** The spec's validity of a heart rate, stated here again so the check does not lean on the code it checks. */
export const validHeartRate = (heartrate: number): boolean => heartrate > 0 && heartrate < 300;

/**
 * The conflict planned for the original reading `heartrate` of (device, t), or undefined (most instants).
 * About 1% of the valid readings conflict, and 1 in 10 invalid ones: invalid readings are only 0.5% of
 * all, and without the higher share a valid reading winning over an invalid one would hardly ever fall
 * inside a workout, where the check sees it.
 */
export function conflictFor(device: number, t: number, heartrate: number): ReadingConflict | undefined {
  const h = hash3(CONFLICT_SALT, device, t);
  const valid = validHeartRate(heartrate);
  if (h % 1000 >= (valid ? 10 : 100)) return undefined;
  const kind = (h >>> 12) % 4;
  const invalid = (h >>> 16) & 1 ? 0 : 300;
  if (valid) {
    // 7/8 of a reading in [40, 180) is still valid and lower: it must replace the original.
    const lower = heartrate * 0.875;
    if (kind === 0) return { duplicate: true, others: [] };
    if (kind === 1) return { duplicate: false, others: [lower] };
    if (kind === 2) return { duplicate: false, others: [invalid] };
    return { duplicate: true, others: [invalid, lower] };
  }
  // A full-precision valid heart rate in [40, 180) that must replace the invalid original.
  const rescue = 40 + (140 * hash3(RESCUE_SALT, device, t)) / 4294967296;
  if (kind === 0) return { duplicate: true, others: [] };
  if (kind === 1) return { duplicate: false, others: [invalid] };
  if (kind === 2) return { duplicate: false, others: [rescue] };
  return { duplicate: true, others: [invalid, rescue] };
}

/** The spec's choice among readings of one instant: the lowest valid heart rate, else the lowest of all. */
export function chosenHeartRate(heartrates: readonly number[]): number {
  let best: number | undefined;
  for (const hr of heartrates) {
    if (best === undefined) best = hr;
    else if (validHeartRate(hr) !== validHeartRate(best)) best = validHeartRate(hr) ? hr : best;
    else best = Math.min(best, hr);
  }
  if (best === undefined) throw new Error('no reading to choose from');
  return best;
}

/** The heart rate heart_rate must hold for an instant whose original reading is `original`, with or without conflicts. */
export function expectedHeartRate(device: number, t: number, original: number, conflicts: boolean): number {
  const conflict = conflicts ? conflictFor(device, t, original) : undefined;
  return conflict ? chosenHeartRate([original, ...conflict.others]) : original;
}
