/**
 * Which of two readings of one (device_id, time) silver heart_rate keeps (../shared/sbit/README.md):
 * a valid one beats an invalid one, so a dropout's 0 (or a device's -1) never hides a real reading; of
 * two valid or two invalid ones the lower heart rate stays. The choice depends only on the two values,
 * never on the order in which records arrive, so any arrival order and any split into increments give
 * the same table.
 */

/** valid: 0 < heartrate < 300 (the original checked only > 0). */
export const isValidHeartRate = (heartrate: number): boolean => heartrate > 0 && heartrate < 300;

/** True when `candidate` should replace `kept` as the reading of their instant (equal values: keep). */
export function replacesReading(kept: number, candidate: number): boolean {
  const keptValid = isValidHeartRate(kept);
  const candidateValid = isValidHeartRate(candidate);
  if (keptValid !== candidateValid) return candidateValid;
  return candidate < kept;
}
