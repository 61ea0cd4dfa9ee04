/**
 * The imperfections a simulation puts into its data, and the tally that counts them while records are
 * produced. Every imperfection is counted where it is made, so the manifest can say exactly what the
 * pipeline must keep, flag and quarantine.
 *
 * - duplicate: a record delivered twice (a producer retry); silver keeps one.
 * - late: a reading delivered after later readings of its device; kept.
 * - stop_before_start: a workout's stop delivered before its start; the pair is still made.
 * - before_registration: a reading (counted per reading) from before its user registered; kept.
 * - gap: the device was off for a while (counted per gap; `gapSeconds` holds their length); no records.
 * - dropout: the sensor lost contact and reported heartrate 0 (counted per reading); kept with valid = false.
 * - truncated_json, non_numeric_heartrate, unknown_topic, csv_missing_field: malformed records, which
 *   the pipeline quarantines (a non-numeric heart rate replaces its reading; the others are extra records).
 */

/** Every imperfection kind, in the order reports list them. */
export const IMPERFECTION_KINDS = [
  'duplicate',
  'late',
  'stop_before_start',
  'before_registration',
  'gap',
  'dropout',
  'truncated_json',
  'non_numeric_heartrate',
  'unknown_topic',
  'csv_missing_field',
] as const;

/** One of IMPERFECTION_KINDS. */
export type ImperfectionKind = (typeof IMPERFECTION_KINDS)[number];

/** The kinds whose records no parser accepts: every one of them ends in quarantine. */
export const MALFORMED_KINDS = ['truncated_json', 'non_numeric_heartrate', 'unknown_topic', 'csv_missing_field'] as const satisfies readonly ImperfectionKind[];

/** Where records come from: the two CSV exports, the three topics, and topics fitlake does not read. */
export const SOURCES = ['registered_users', 'gym_logins', 'user_info', 'workout', 'bpm', 'other_topics'] as const;

/** One of SOURCES. */
export type SourceName = (typeof SOURCES)[number];

/** What one source produced. */
export interface SourceTally {
  /** Records (lines, messages) produced, whatever their shape. */
  records: number;
  /** Distinct good records: registrations, visits, profile changes, workout events, readings. */
  distinct: number;
  /** Extra exact copies of good records. */
  duplicates: number;
  /** Records cut short (invalid JSON). */
  truncated: number;
  /** Readings whose heart rate is not a number. */
  nonNumeric: number;
  /** CSV lines lacking a field. */
  missingField: number;
}

/** Counts of a whole simulation; see the module comment for the kinds. */
export interface Tally {
  sources: Record<SourceName, SourceTally>;
  imperfections: Record<ImperfectionKind, number>;
  /** Seconds without readings because of gaps. */
  gapSeconds: number;
  /** Users with at least one good user_info record (silver user_profile keeps one row for each). */
  profileUsers: number;
}

/** A tally with every count at zero. */
export function emptyTally(): Tally {
  const sources = {} as Record<SourceName, SourceTally>;
  for (const s of SOURCES) sources[s] = { records: 0, distinct: 0, duplicates: 0, truncated: 0, nonNumeric: 0, missingField: 0 };
  const imperfections = {} as Record<ImperfectionKind, number>;
  for (const k of IMPERFECTION_KINDS) imperfections[k] = 0;
  return { sources, imperfections, gapSeconds: 0, profileUsers: 0 };
}

/** Records produced by all sources together. */
export function totalRecords(tally: Tally): number {
  let n = 0;
  for (const s of SOURCES) n += tally.sources[s].records;
  return n;
}
