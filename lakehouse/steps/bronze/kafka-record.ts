/** A Kafka record as a kafka_multiplex_bz row: date and week_part derived from the record time. */
import type { KafkaMultiplexBzRow } from '../../../schema/tables.ts';
import { weekPart } from '../../calendar.ts';
import { dayOfMicros } from '../../time.ts';

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
