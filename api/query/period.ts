/** Periods of the aggregates: a day, or a week starting on Sunday (the lake's calendar, lakehouse/calendar.ts). */
import { dayOfWeek } from '../../lakehouse/calendar.ts';

export type Period = 'DAY' | 'WEEK';

/** First day of the period holding `day` (a day number). */
export function periodStart(day: number, period: Period): number {
  return period === 'DAY' ? day : day - (dayOfWeek(day) - 1);
}
