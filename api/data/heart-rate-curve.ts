/**
 * One workout's heart-rate curve, read from silver workout_bpm: the readings of (user, workout,
 * session), in time order. Only the files whose statistics admit that user and the workout's time
 * window are read (file pruning by min/max of user_id and time), one at a time, and only the columns
 * the predicates and the curve need.
 */
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Predicate } from '../../lakehouse/table/files/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';

/**
 * Readings one curve may hold. A completed workout lasts under 3 hours and devices report once a
 * second (10,800 readings); beyond this the workout data is not what the API was sized for.
 */
export const MAX_CURVE_POINTS = 20_000;

export interface HeartRatePoint {
  /** µs since the epoch. */
  readonly time: number;
  readonly bpm: number;
}

export interface CurveKey {
  readonly userId: number;
  readonly workoutId: number;
  readonly sessionId: number;
  /** The workout's window (start < time <= end), µs; absent when unknown (then only the key prunes). */
  readonly window?: { readonly start: number; readonly end: number } | undefined;
}

/** Thrown when a curve would exceed MAX_CURVE_POINTS (the resolver turns it into a clear error). */
export class CurveTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`the workout has more than ${limit} readings`);
    this.name = 'CurveTooLongError';
  }
}

/** The predicates of one workout's readings: equality on the key and, when known, its window. */
export function curvePredicates({ userId, workoutId, sessionId, window }: CurveKey): Predicate[] {
  const predicates: Predicate[] = [
    { column: 'user_id', op: '=', value: userId },
    { column: 'workout_id', op: '=', value: workoutId },
    { column: 'session_id', op: '=', value: sessionId },
  ];
  if (window) predicates.push({ column: 'time', op: '>', value: window.start }, { column: 'time', op: '<=', value: window.end });
  return predicates;
}

/** The readings of one workout in time order, at most `limit` (CurveTooLongError beyond). */
export async function readHeartRateCurve(table: DeltaTable, snapshot: Snapshot, key: CurveKey, limit = MAX_CURVE_POINTS): Promise<HeartRatePoint[]> {
  const points: HeartRatePoint[] = [];
  const scan = table.scan({ snapshot, columns: ['user_id', 'workout_id', 'session_id', 'time', 'heartrate'], predicates: curvePredicates(key) });
  for await (const batch of scan) {
    const time = batch.columns.get('time')!;
    const bpm = batch.columns.get('heartrate')!;
    if (points.length + batch.numRows > limit) throw new CurveTooLongError(limit);
    for (let i = 0; i < batch.numRows; i++) points.push({ time: time[i] as number, bpm: bpm[i] as number });
  }
  // Files hold rows in no promised order across files: the curve is drawn left to right.
  return points.sort((a, b) => a.time - b.time);
}
