/** What a simulation is asked for, and the same with every default filled in and checked. */
import { parseDate } from '../lakehouse/time.ts';

export interface SimulationOptions {
  /** Users, each with one device. @default 20 */
  users?: number;
  /** Days simulated, from `start`. @default 1 */
  days?: number;
  /** First day, `YYYY-MM-DD` (UTC). @default 2023-03-10 (the SBIT week) */
  start?: string;
  /** Seed of every random choice: the same seed gives the same records, byte for byte. @default 42 */
  seed?: number;
  /** Probability that a record (or a session, a user, a user-day) carries an imperfection, in [0, 1]. @default 0.01 */
  imperfections?: number;
  /** Hours a device is worn per day (readings are 1 Hz while worn). @default 14 */
  wearHours?: number;
  /**
   * Only this day of the period (0-based): its readings and the other records whose time falls on it
   * (the first day also gets those before the period, the last those after it). Users, ids, sessions and
   * imperfections are planned over the whole period, so the days landed one by one are, together, the
   * records of the whole run. @default every day
   */
  onlyDay?: number;
}

/** Options with every default applied; see SimulationOptions for each field. */
export interface SimulationSettings {
  users: number;
  days: number;
  start: string;
  /** `start` as epoch seconds (00:00 UTC). */
  startSeconds: number;
  seed: number;
  imperfections: number;
  wearHours: number;
  onlyDay?: number;
}

/** The settings of `options`; throws RangeError naming the first invalid option. */
export function resolveOptions(options: SimulationOptions = {}): SimulationSettings {
  const { users = 20, days = 1, start = '2023-03-10', seed = 42, imperfections = 0.01, wearHours = 14, onlyDay } = options;
  if (!Number.isSafeInteger(users) || users < 1 || users > 1_000_000) throw new RangeError(`users must be a whole number from 1 to 1000000, got ${users}`);
  if (!Number.isSafeInteger(days) || days < 1 || days > 3660) throw new RangeError(`days must be a whole number from 1 to 3660, got ${days}`);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative whole number, got ${seed}`);
  if (!(imperfections >= 0 && imperfections <= 1)) throw new RangeError(`imperfections must be a rate from 0 to 1, got ${imperfections}`);
  // Below 2 hours a workout with its warm-up and recovery no longer fits into the worn time.
  if (!(wearHours >= 2 && wearHours <= 23)) throw new RangeError(`wearHours must be from 2 to 23, got ${wearHours}`);
  if (onlyDay !== undefined && !(Number.isSafeInteger(onlyDay) && onlyDay >= 0 && onlyDay < days)) throw new RangeError(`onlyDay must be a day of the period, 0 to ${days - 1}, got ${onlyDay}`);
  let startDay: number;
  try {
    startDay = parseDate(start);
  } catch {
    throw new RangeError(`start must be a date YYYY-MM-DD, got ${JSON.stringify(start)}`);
  }
  return { users, days, start, startSeconds: startDay * 86_400, seed, imperfections, wearHours, ...(onlyDay !== undefined ? { onlyDay } : {}) };
}
