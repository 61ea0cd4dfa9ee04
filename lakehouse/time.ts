/**
 * Exact conversions between fitlake's in-memory time values (microseconds since the epoch for
 * timestamps, days since the epoch for dates; see schema/types.ts) and their text forms. Everything is
 * UTC. Arithmetic stays in integers: a Date object is only used for the calendar fields of whole
 * milliseconds, never to hold the microseconds.
 */

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400 * MICROS_PER_SECOND;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Floor division that is right for negative numbers too. */
function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

/** `2023-03-11` for a day number. */
export function formatDate(days: number): string {
  const d = new Date(days * 86_400_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
}

/** Day number of `YYYY-MM-DD`; throws RangeError on anything else. */
export function parseDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${JSON.stringify(text)}`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const days = ms / 86_400_000;
  if (formatDate(days) !== text) throw new RangeError(`not a calendar date: ${text}`);
  return days;
}

/** The UTC day of a timestamp. */
export function dayOfMicros(micros: number): number {
  return floorDiv(micros, MICROS_PER_DAY);
}

/** `2023-03-11T08:15:00.123456Z`: ISO-8601 with all six fractional digits (exact). */
export function formatTimestampIso(micros: number): string {
  const ms = floorDiv(micros, 1000);
  const sub = micros - ms * 1000;
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}T${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}${pad(sub, 3)}Z`;
}

/** `2023-03-11 08:15:00.123456`: the Delta partition-value form of a timestamp (UTC). */
export function formatTimestampPartition(micros: number): string {
  return formatTimestampIso(micros).replace('T', ' ').replace('Z', '');
}

/**
 * Microseconds of an ISO-8601 / Delta timestamp text: `YYYY-MM-DD[T ]HH:MM:SS[.f{1,9}][Z|±HH:MM]`,
 * UTC when no offset is given. Fractions beyond microseconds are refused rather than rounded.
 */
export function parseTimestamp(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new RangeError(`not a timestamp: ${JSON.stringify(text)}`);
  const fraction = (m[7] ?? '').padEnd(9, '0');
  if (/[1-9]/.test(fraction.slice(6))) throw new RangeError(`timestamp finer than microseconds: ${text}`);
  let ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  const zone = m[8];
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return ms * 1000 + Number(fraction.slice(0, 6));
}

/**
 * Microseconds of an epoch-seconds number as the devices send it (`1678451168` or `1678451168.0`),
 * exact for up to six decimals: the decimal text is split, never multiplied as a float.
 */
export function epochSecondsToMicros(seconds: number | string): number {
  const text = typeof seconds === 'number' ? secondsText(seconds) : seconds.trim();
  const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not epoch seconds: ${JSON.stringify(seconds)}`);
  const fraction = (m[3] ?? '').padEnd(6, '0');
  if (/[1-9]/.test(fraction.slice(6))) throw new RangeError(`epoch seconds finer than microseconds: ${text}`);
  const micros = Number(m[2]) * MICROS_PER_SECOND + Number(fraction.slice(0, 6));
  if (!Number.isSafeInteger(micros)) throw new RangeError(`epoch seconds out of range: ${text}`);
  return m[1] === '-' ? -micros : micros;
}

/** Shortest exact decimal text of a number, without exponent notation. */
function secondsText(n: number): string {
  if (!Number.isFinite(n)) throw new RangeError(`not epoch seconds: ${n}`);
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(6);
}
