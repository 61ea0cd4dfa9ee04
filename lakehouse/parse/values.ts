/**
 * Checks and conversions of single source values shared by the CSV and JSON parsers. Each converter
 * returns the converted value, or a string with the reason it was refused: a string is never a valid
 * result of these converters, so `typeof result === 'string'` tells the two apart without allocating a
 * wrapper object per value (the bpm path runs over millions of records).
 */
import { epochSecondsToMicros } from '../time.ts';

/** Largest whole number of seconds whose microseconds are still a safe integer. */
export const MAX_FAST_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1_000_000);

/** A value as it appears in a reason: JSON text, cut short so one reason stays one short line. */
export function show(value: unknown): string {
  // Numbers by String(): JSON would print Infinity as null.
  const text = value === undefined ? 'undefined' : typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** A safe integer from a JSON value (a JSON number; never rounded), or the reason it is not one. */
export function safeIntegerOf(value: unknown, label: string): number | string {
  if (typeof value !== 'number' || !Number.isInteger(value)) return `${label}: ${show(value)} is not an integer`;
  // JSON.parse already rounded any integer beyond 2^53 to a value >= 2^53, which is never safe.
  if (!Number.isSafeInteger(value)) return `${label}: ${show(value)} is not a safe integer`;
  return value + 0; // -0 becomes 0: an id has no sign of zero
}

/** A safe integer from decimal text (optional sign, digits only; never rounded), or the reason it is not one. */
export function safeIntegerOfText(text: string, label: string): number | string {
  const t = text.trim();
  let i = t.charCodeAt(0) === 45 /* - */ || t.charCodeAt(0) === 43 /* + */ ? 1 : 0;
  if (i === t.length) return `${label}: ${show(text)} is not an integer`;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return `${label}: ${show(text)} is not an integer`;
  }
  const n = Number(t);
  if (!Number.isSafeInteger(n)) return `${label}: ${show(text)} is not a safe integer`;
  return n + 0; // -0 becomes 0: an id has no sign of zero
}

/**
 * Microseconds of epoch seconds given as a JSON number or a decimal string (`1678451168`,
 * `1678451168.0`, `"1678451168.25"`), exact, or the reason they cannot be. Whole seconds, the common
 * case, skip the decimal-text route of epochSecondsToMicros: their product with 10^6 is exact.
 */
export function epochMicrosOf(value: unknown, label: string): number | string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value <= MAX_FAST_SECONDS && value >= -MAX_FAST_SECONDS) return value * 1_000_000 + 0;
  } else if (typeof value !== 'string') {
    return `${label}: ${show(value)} is not epoch seconds`;
  }
  try {
    return epochSecondsToMicros(value);
  } catch {
    return `${label}: ${show(value)} is not epoch seconds`;
  }
}

/** True for a MAC address in canonical lower-case form: six hex pairs separated by `:`. */
export function isMacAddress(text: string): boolean {
  if (text.length !== 17) return false;
  for (let i = 0; i < 17; i++) {
    const c = text.charCodeAt(i);
    if (i % 3 === 2) {
      if (c !== 58 /* : */) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) {
      return false;
    }
  }
  return true;
}

/** A MAC address trimmed and lower-cased, or null when it is not one. */
export function normalizeMacAddress(text: string): string | null {
  const mac = text.trim().toLowerCase();
  return isMacAddress(mac) ? mac : null;
}
