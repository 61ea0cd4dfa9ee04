/** How numbers and times read on the page: units always, UTC always (the lake's times are UTC). */

export const formatBpm = (bpm: number | null | undefined) => (bpm === null || bpm === undefined ? '—' : `${bpm.toFixed(1)}`);

export const formatCount = (n: number | string | null | undefined) => (n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US'));

/** 2024-05-04T08:00:00.000000Z → 2024-05-04 08:00 UTC */
export const formatTime = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '—');

/** Seconds as "45 s", "12 min", "3.5 h", "2.0 d". */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** Milliseconds between two ISO instants, or undefined. */
export function durationSeconds(start: string | null | undefined, end: string | null | undefined): number | undefined {
  if (!start || !end) return undefined;
  return (Date.parse(end) - Date.parse(start)) / 1000;
}
