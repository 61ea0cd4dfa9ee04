/** Text for people on the command line: counts, durations, aligned tables, and a simulation's manifest and delivery report. */
import { IMPERFECTION_KINDS, SOURCES, type ImperfectionKind } from '../simulator/imperfections.ts';
import type { Manifest } from '../simulator/manifest.ts';
import type { SinkReport } from '../simulator/sink.ts';

/** `1,234,567`. */
export const count = (n: number): string => n.toLocaleString('en-US');

/** `1 h 34 min`, `12 min`, `40 s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const min = Math.round((seconds % 3600) / 60);
  return h > 0 ? `${h} h ${min} min` : `${min} min`;
}

/**
 * Rows of cells as lines, two spaces apart. `align` has one letter per column, `l` or `r`; by default the
 * first column is left-aligned and the others (numbers) right-aligned.
 */
export function table(rows: readonly (readonly string[])[], align = 'l', indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const left = (i: number) => (align[i] ?? 'r') === 'l';
  return rows.map((row) => indent + row.map((cell, i) => (left(i) ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

const NOTES: Record<ImperfectionKind, (m: Manifest) => string> = {
  duplicate: () => 'records delivered twice (silver keeps one)',
  late: () => 'readings delivered after later ones',
  stop_before_start: () => 'sessions whose stop came first',
  before_registration: () => 'readings from before the user registered',
  gap: (m) => `device off, ${duration(m.gapSeconds)} without readings`,
  dropout: () => 'readings with heartrate 0 (kept, valid = false)',
  truncated_json: () => 'malformed: JSON cut short',
  non_numeric_heartrate: () => 'malformed: heartrate not a number',
  unknown_topic: (m) => (m.sink === 'kafka' ? 'malformed: a topic fitlake does not read' : 'malformed: a topic fitlake does not know'),
  csv_missing_field: () => 'malformed: CSV line missing a field',
};

/** The manifest as tables: sources, imperfections, the expected step results, and the files or topics written. */
export function formatManifest(m: Manifest, report: SinkReport): string {
  const lines: string[] = [];
  lines.push('', ...table([['source', 'records', 'in', 'kept', 'quarantined'], ...SOURCES.map((s) => [s, ...[m.sources[s].records, m.sources[s].in, m.sources[s].kept, m.sources[s].quarantined].map(count)])]));
  lines.push('', ...table([['imperfection', 'count', ''], ...IMPERFECTION_KINDS.map((k) => [k, count(m.imperfections[k]), NOTES[k](m)])], 'lrl'));
  lines.push(
    '',
    m.settings.onlyDay === undefined ? '  expected from one pipeline run on an empty lake:' : `  expected from one pipeline run on a lake that holds days 1 to ${m.settings.onlyDay} of the period:`,
    ...table([['step', 'in', 'written', 'duplicates', 'quarantined'], ...Object.entries(m.steps).map(([name, s]) => [name, ...[s.recordsIn, s.rowsWritten, s.duplicates, s.quarantined].map(count)])]),
    `  quarantine: ${count(m.quarantined)} record(s); readings: ${count(m.readings.distinct)} distinct, ${count(m.readings.invalid)} invalid`,
  );
  if (report.files.length > 0) lines.push('', ...table([['file', 'records'], ...report.files.map((f) => [f.key, count(f.records)])]));
  const topics = Object.entries(report.messages);
  if (topics.length > 0) lines.push('', ...table([['topic', 'messages'], ...topics.map(([t, n]) => [t, count(n)])]));
  return lines.join('\n');
}
