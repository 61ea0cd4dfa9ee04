/**
 * Calendar fields of a day number (days since 1970-01-01, UTC) as the SBIT date lookup defines them:
 * weeks start on Sunday and week 1 is the week holding 1 January, so week 1 may be a single day and a
 * year has 53 or, when it is a leap year starting on a Saturday (2000, 2028), 54 weeks. This is not ISO
 * 8601 (no week belongs to another year). The bronze partition `week_part` is `<year>-<week>`, unpadded.
 */

const MS_PER_DAY = 86_400_000;

/** Checks a day number is a whole day inside the range of JS dates; returns its year. */
function yearOf(days: number): number {
  const year = Number.isInteger(days) ? new Date(days * MS_PER_DAY).getUTCFullYear() : NaN;
  if (Number.isNaN(year)) throw new RangeError(`not a day number: ${days}`);
  return year;
}

/** Day of the week, 1 = Sunday … 7 = Saturday (Spark's dayofweek; 1970-01-01 was a Thursday, 5). */
export function dayOfWeek(days: number): number {
  return ((((days + 4) % 7) + 7) % 7) + 1;
}

/** Week of the year: weeks start on Sunday, week 1 holds 1 January (`2023-12-31` is week 53). */
export function weekOfYear(days: number): number {
  const jan1 = Date.UTC(yearOf(days), 0, 1) / MS_PER_DAY;
  // Counting from the Sunday on or before 1 January makes every Sunday start a new week.
  return Math.floor((days - jan1 + dayOfWeek(jan1) - 1) / 7) + 1;
}

// Records arrive in time order, so consecutive calls mostly ask for the same day; remembering the last
// answer spares the date arithmetic and the string per record. The result depends only on `days`.
let lastDays = NaN;
let lastWeekPart = '';

/** `<year>-<week>` of a day, e.g. `2023-1`, `2023-10`, `2022-53`: the bronze week_part partition value. */
export function weekPart(days: number): string {
  if (days !== lastDays) {
    lastWeekPart = `${yearOf(days)}-${weekOfYear(days)}`;
    lastDays = days;
  }
  return lastWeekPart;
}
