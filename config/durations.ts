/** Durations in settings: a whole number with a unit (s, m, h, d; seconds without one), e.g. 10s, 12h, 7d. */
import { ConfigError } from '../lakehouse/errors.ts';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** Seconds of a duration setting; ConfigError naming the setting when it is not one. */
export function parseSeconds(setting: string, text: string): number {
  const m = /^\s*(\d+)\s*(s|m|h|d)?\s*$/.exec(text);
  if (!m) throw new ConfigError(`${setting} '${text}' is not a duration (a whole number with s, m, h or d: 10s, 12h, 7d)`, { setting, value: text });
  return Number(m[1]) * UNIT_SECONDS[m[2] ?? 's']!;
}
