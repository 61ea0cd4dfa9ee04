/**
 * Age in completed years and the demographic age bins of user_bins and workout_bpm_summary. Ages are
 * computed on a given day (the workout's start date), never "today", so published bins do not drift.
 */

const MS_PER_DAY = 86_400_000;

/** The UTC year, month (0-11) and day of month of a day number; throws RangeError for a non-day. */
function ymd(days: number): [number, number, number] {
  const d = new Date(Number.isInteger(days) ? days * MS_PER_DAY : NaN);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a day number: ${days}`);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

/**
 * Completed years from the birth day `dobDays` to the day `onDays` (both days since 1970-01-01): the
 * age goes up on the birthday itself. Someone born on 29 February gets a year older on 1 March in
 * common years (their month and day are not reached before then), the rule of e.g. UK law. Negative
 * when `onDays` comes before the birth: the caller decides what a future birth date means.
 */
export function ageOn(dobDays: number, onDays: number): number {
  const [by, bm, bd] = ymd(dobDays);
  const [y, m, d] = ymd(onDays);
  const beforeBirthday = m < bm || (m === bm && d < bd);
  return y - by - (beforeBirthday ? 1 : 0);
}

/** The age bins, youngest first; each lower bound is inclusive (18 is `18-25`, 25 is `25-35`). */
export const AGE_BINS = ['under 18', '18-25', '25-35', '35-45', '45-55', '55-65', '65-75', '75-85', '85-95', '95+'] as const;

/** One of AGE_BINS. */
export type AgeBin = (typeof AGE_BINS)[number];

/** Lower bounds of AGE_BINS after the first. */
const LOWER_BOUNDS = [18, 25, 35, 45, 55, 65, 75, 85, 95] as const;

/** The bin of an age in years; any age below 18 (negative ones too) is `under 18`. */
export function ageBin(age: number): AgeBin {
  if (Number.isNaN(age)) throw new RangeError('age is NaN');
  let bin = 0;
  while (bin < LOWER_BOUNDS.length && age >= LOWER_BOUNDS[bin]!) bin++;
  return AGE_BINS[bin]!;
}
