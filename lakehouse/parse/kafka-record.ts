/** A Kafka record as a kafka_multiplex_bz row: date and week_part derived from the record time. */
import { kafkaMultiplexBz, type KafkaMultiplexBzRow } from '../../schema/tables.ts';
import type { Cell } from '../../schema/types.ts';
import { weekPart } from '../calendar.ts';
import { dayOfMicros } from '../time.ts';

export interface KafkaRecordFields {
  key: string | null;
  value: string;
  topic: string;
  partition: number;
  offset: number;
  timestampMicros: number;
}

export function bronzeKafkaRow(record: KafkaRecordFields, loadTime: number, sourceFile: string): KafkaMultiplexBzRow {
  const date = dayOfMicros(record.timestampMicros);
  return {
    key: record.key,
    value: record.value,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestampMicros,
    date,
    week_part: weekPart(date),
    load_time: loadTime,
    source_file: sourceFile,
  };
}

/** The column order bronzeKafkaValues writes in; checked against the table declaration on load. */
const VALUE_ORDER = ['key', 'value', 'topic', 'partition', 'offset', 'timestamp', 'date', 'week_part', 'load_time', 'source_file'];
if (kafkaMultiplexBz.columns.map((c) => c.name).join() !== VALUE_ORDER.join()) {
  throw new Error(`kafka_multiplex_bz columns changed: update bronzeKafkaValues (${VALUE_ORDER.join()})`);
}

/** bronzeKafkaRow as values in kafka_multiplex_bz's column order (see LineOutcome in landing-files.ts). */
export function bronzeKafkaValues(record: KafkaRecordFields, loadTime: number, sourceFile: string): Cell[] {
  const date = dayOfMicros(record.timestampMicros);
  return [record.key, record.value, record.topic, record.partition, record.offset, record.timestampMicros, date, weekPart(date), loadTime, sourceFile];
}
