/**
 * The records a simulation produces, and how each becomes text: a CSV line of an export, a Kafka-dump
 * line (`{"key","value","topic","partition","offset","timestamp"}`, timestamp in epoch seconds) or a
 * Kafka message value. A record knows whether and how it is imperfect (`fault`), so tests can check each
 * line against the project's parsers, and a truncated record is cut the same way by every sink.
 */
import type { ImperfectionKind } from './imperfections.ts';

/** The two CSV exports. */
export type CsvSource = 'registered_users' | 'gym_logins';

/** The three Kafka streams; a record's `stream` is the dump file it is written to. */
export type StreamName = 'user_info' | 'workout' | 'bpm';

/** The kinds of imperfection a single record can carry (gaps are missing records and carry none). */
export type RecordFault = Exclude<ImperfectionKind, 'gap' | 'before_registration'>;

/** One line of a CSV export; `fields` in the order of the export's header. */
export interface CsvRecord {
  readonly kind: 'csv';
  readonly source: CsvSource;
  readonly fields: readonly string[];
  /** When the row happened, whole epoch seconds: the registration, or the gym login. */
  readonly time: number;
  readonly fault: RecordFault | null;
}

/** One Kafka record. `topic` is usually `stream`, except for records of a topic fitlake does not know. */
export interface StreamRecord {
  readonly kind: 'stream';
  readonly stream: StreamName;
  readonly topic: string;
  readonly key: string;
  /** The payload, JSON text (before any truncation). */
  readonly value: string;
  /** Event time, whole epoch seconds: the record timestamp. */
  readonly time: number;
  readonly fault: RecordFault | null;
  /** For `truncated_json`: the fraction of the text that survives, in (0, 1). */
  readonly cut?: number;
}

/** A simulated record. */
export type SimRecord = CsvRecord | StreamRecord;

/** The header of each CSV export, as in the SBIT files. */
export const CSV_HEADERS: Readonly<Record<CsvSource, string>> = {
  registered_users: 'user_id,device_id,mac_address,registration_timestamp',
  gym_logins: 'mac_address,gym,login,logout',
};

/** The CSV line of a record (its values never hold commas or quotes: ids, MACs, epoch seconds). */
export function csvLine(record: CsvRecord): string {
  return record.fields.join(',');
}

/** The first `cut` of a text, at least one character and never all of it: a proper prefix of JSON is not JSON. */
export function truncateText(text: string, cut: number): string {
  return text.slice(0, Math.min(text.length - 1, Math.max(1, Math.floor(text.length * cut))));
}

/** The Kafka-dump line of a record at an offset (partition 0), cut short when the record is truncated. */
export function dumpLine(record: StreamRecord, offset: number): string {
  const line = `{"key":${JSON.stringify(record.key)},"value":${JSON.stringify(record.value)},"topic":${JSON.stringify(record.topic)},"partition":0,"offset":${offset},"timestamp":${record.time}}`;
  return record.fault === 'truncated_json' ? truncateText(line, record.cut ?? 0.5) : line;
}

/** The value a Kafka message carries: the payload, cut short when the record is truncated (sent raw). */
export function messageValue(record: StreamRecord): string {
  return record.fault === 'truncated_json' ? truncateText(record.value, record.cut ?? 0.5) : record.value;
}
