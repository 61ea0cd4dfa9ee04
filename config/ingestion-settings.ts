/**
 * How ingestion judges its input, from the environment (defaults in brackets):
 * - FITLAKE_EARLIEST_EVENT [2000-01-01]: event times before this date are refused as implausible;
 * - FITLAKE_FUTURE_EVENTS [1d]: and so are times more than this after the wall clock;
 * - FITLAKE_MAX_LINE_BYTES [16777216]: longer landing lines are quarantined with their first kilobyte;
 * - FITLAKE_HOLD_FINAL_LINE [10s]: a last line without its line break waits while its file changed
 *   within this long (it may still be being written).
 */
import { ConfigError } from '../lakehouse/errors.ts';
import { parseDate } from '../lakehouse/time.ts';
import { parseSeconds } from './durations.ts';

export interface IngestionSettings {
  earliestEventMicros: number;
  futureEventsMs: number;
  maxLineBytes: number;
  holdFinalLineMs: number;
}

export function loadIngestionSettings(env: NodeJS.ProcessEnv): IngestionSettings {
  const earliest = env.FITLAKE_EARLIEST_EVENT || '2000-01-01';
  let earliestDay: number;
  try {
    earliestDay = parseDate(earliest.trim());
  } catch (e) {
    throw new ConfigError(`FITLAKE_EARLIEST_EVENT '${earliest}' is not a date (YYYY-MM-DD)`, { setting: 'FITLAKE_EARLIEST_EVENT', value: earliest, cause: e });
  }
  const maxLine = env.FITLAKE_MAX_LINE_BYTES || String(16 * 1024 * 1024);
  const maxLineBytes = /^\s*\d+\s*$/.test(maxLine) ? Number(maxLine) : NaN;
  if (!(maxLineBytes >= 1024 && maxLineBytes <= 512 * 1024 * 1024)) {
    throw new ConfigError(`FITLAKE_MAX_LINE_BYTES '${maxLine}' is not a number of bytes from 1024 to 536870912`, { setting: 'FITLAKE_MAX_LINE_BYTES', value: maxLine });
  }
  return {
    earliestEventMicros: earliestDay * 86_400_000_000,
    futureEventsMs: parseSeconds('FITLAKE_FUTURE_EVENTS', env.FITLAKE_FUTURE_EVENTS || '1d') * 1000,
    maxLineBytes,
    holdFinalLineMs: parseSeconds('FITLAKE_HOLD_FINAL_LINE', env.FITLAKE_HOLD_FINAL_LINE || '10s') * 1000,
  };
}
