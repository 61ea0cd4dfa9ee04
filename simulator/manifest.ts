/**
 * The manifest of a simulation: what was produced, every imperfection counted, and what the pipeline
 * must make of it when it starts from an empty lake and runs once (for one day of a period, `onlyDay`:
 * from a lake that holds the days before it). Per source: records in, kept (bronze
 * or silver keeps them, duplicates included) and quarantined. Per step: the StepResult counts
 * (recordsIn, rowsWritten, duplicates, quarantined) of the bronze steps and the silver steps that read
 * them, so a test can compare the pipeline's own results with the prediction, number by number.
 *
 * Where records end up depends on the sink. From the landing zone, truncated dump lines and unknown
 * topics are refused by bronze_kafka_files; from Kafka, bronze keeps every message of the three topics
 * and a truncated value is refused by the silver step of its topic, while topics fitlake does not read
 * are never seen. A non-numeric heart rate is always refused by silver_heart_rate, a CSV line missing a
 * field always by its bronze step.
 */
import { IMPERFECTION_KINDS, MALFORMED_KINDS, SOURCES, type ImperfectionKind, type SourceName, type Tally } from './imperfections.ts';
import type { SimulationSettings } from './options.ts';

/** Where the Kafka streams went (CSV exports always go to the landing zone). */
export type SinkKind = 'landing' | 'kafka';

/** What the pipeline sees of one source. */
export interface SourceExpectation {
  /** Records produced. */
  records: number;
  /** Records the pipeline reads. */
  in: number;
  /** Records kept (written by bronze and accepted by silver, duplicates included). */
  kept: number;
  quarantined: number;
}

/** The StepResult counts one step must report. */
export interface StepExpectation {
  recordsIn: number;
  rowsWritten: number;
  duplicates: number;
  quarantined: number;
}

/** Everything a run produced and the pipeline's expected outcome; see the module comment. */
export interface Manifest {
  settings: { users: number; days: number; start: string; seed: number; imperfections: number; wearHours: number; onlyDay?: number };
  sink: SinkKind;
  /** Records produced, all sources. */
  records: number;
  sources: Record<SourceName, SourceExpectation>;
  imperfections: Record<ImperfectionKind, number>;
  /** Seconds without readings because a device was off. */
  gapSeconds: number;
  /** Malformed records (the MALFORMED_KINDS together). */
  malformed: number;
  /** Distinct readings (one per device and second) and how many of them are invalid (heartrate 0). */
  readings: { distinct: number; invalid: number };
  /** Expected StepResult of the bronze steps and the silver steps fed directly by them. */
  steps: Record<string, StepExpectation>;
  /** Rows the quarantine table gains. */
  quarantined: number;
}

const step = (recordsIn: number, rowsWritten: number, duplicates: number, quarantined: number): StepExpectation => ({ recordsIn, rowsWritten, duplicates, quarantined });

/** The manifest of a finished pass whose streams went to `sink`. */
export function buildManifest(settings: SimulationSettings, tally: Tally, sink: SinkKind): Manifest {
  const { registered_users: reg, gym_logins: gym, user_info: info, workout, bpm, other_topics: other } = tally.sources;
  const fromKafka = sink === 'kafka';

  const sources = {} as Record<SourceName, SourceExpectation>;
  for (const name of SOURCES) {
    const s = tally.sources[name];
    const refused = s.truncated + s.nonNumeric + s.missingField;
    sources[name] = { records: s.records, in: s.records, kept: s.records - refused, quarantined: refused };
  }
  sources.other_topics = fromKafka ? { records: other.records, in: 0, kept: 0, quarantined: 0 } : { records: other.records, in: other.records, kept: 0, quarantined: other.records };

  const streamRecords = info.records + workout.records + bpm.records;
  const truncated = info.truncated + workout.truncated + bpm.truncated;
  // What silver reads of a topic: every bronze row of it; from the landing zone, truncated lines never got there.
  const silverIn = (s: typeof info) => s.distinct + s.duplicates + s.nonNumeric + (fromKafka ? s.truncated : 0);
  const silverRefused = (s: typeof info) => s.nonNumeric + (fromKafka ? s.truncated : 0);
  const profilesIn = silverIn(info);

  const steps: Record<string, StepExpectation> = {
    bronze_registered_users: step(reg.records, reg.records - reg.missingField, 0, reg.missingField),
    bronze_gym_logins: step(gym.records, gym.records - gym.missingField, 0, gym.missingField),
    bronze_kafka_files: fromKafka ? step(0, 0, 0, 0) : step(streamRecords + other.records, streamRecords - truncated, 0, truncated + other.records),
    bronze_kafka: fromKafka ? step(streamRecords, streamRecords, 0, 0) : step(0, 0, 0, 0),
    silver_users: step(reg.distinct + reg.duplicates, reg.distinct, reg.duplicates, 0),
    silver_gym_logs: step(gym.distinct + gym.duplicates, gym.distinct, gym.duplicates, 0),
    // One profile per user survives: every other change record of the user counts as a duplicate.
    silver_user_profile: step(profilesIn, tally.profileUsers, profilesIn - silverRefused(info) - tally.profileUsers, silverRefused(info)),
    silver_workouts: step(silverIn(workout), workout.distinct, workout.duplicates, silverRefused(workout)),
    silver_heart_rate: step(silverIn(bpm), bpm.distinct, bpm.duplicates, silverRefused(bpm)),
  };

  let quarantined = 0;
  for (const s of Object.values(steps)) quarantined += s.quarantined;
  let malformed = 0;
  for (const kind of MALFORMED_KINDS) malformed += tally.imperfections[kind];
  const imperfections = {} as Record<ImperfectionKind, number>;
  for (const kind of IMPERFECTION_KINDS) imperfections[kind] = tally.imperfections[kind];

  return {
    settings: { users: settings.users, days: settings.days, start: settings.start, seed: settings.seed, imperfections: settings.imperfections, wearHours: settings.wearHours, ...(settings.onlyDay !== undefined ? { onlyDay: settings.onlyDay } : {}) },
    sink,
    records: SOURCES.reduce((n, s) => n + tally.sources[s].records, 0),
    sources,
    imperfections,
    gapSeconds: tally.gapSeconds,
    malformed,
    readings: { distinct: bpm.distinct, invalid: tally.imperfections.dropout },
    steps,
    quarantined,
  };
}
