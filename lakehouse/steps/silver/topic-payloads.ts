/** Reading one topic's new records from kafka_multiplex_bz and parsing their payloads; failures go to quarantine. */
import type { kafkaMultiplexBz } from '../../../schema/tables.ts';
import type { Cell } from '../../../schema/types.ts';
import { columnOf } from '../../table/columns/index.ts';
import { fail, type RowResult } from '../../parse/result.ts';
import type { UpstreamRange } from '../incremental.ts';
import type { QuarantineBuffer } from '../quarantine.ts';

export interface TopicPayloads<T> {
  parsed: T[];
  recordsIn: number;
}

export async function readTopicPayloads<T>(range: UpstreamRange<typeof kafkaMultiplexBz>, topic: string, parse: (value: string) => RowResult<T>, quarantine: QuarantineBuffer): Promise<TopicPayloads<T>> {
  const parsed: T[] = [];
  let recordsIn = 0;
  for await (const batch of range.table.scan({
    snapshot: range.snapshot,
    files: range.files,
    columns: ['value', 'partition', 'offset', 'source_file'],
    predicates: [{ column: 'topic', op: '=', value: topic }],
  })) {
    const values = columnOf(range.def, batch, 'value');
    const partitions = columnOf(range.def, batch, 'partition');
    const offsets = columnOf(range.def, batch, 'offset');
    const files = columnOf(range.def, batch, 'source_file');
    for (let i = 0; i < batch.numRows; i++) {
      recordsIn++;
      const value = values[i]!;
      const result = parse(value);
      if (result.ok) parsed.push(result.row);
      else quarantine.add(recordSource(topic, partitions[i]!, offsets[i]!, files[i]!), value, result.reason);
    }
  }
  return { parsed, recordsIn };
}

/** A payload parser that also refuses what parses but is implausible (rules/plausible.ts), with the reason. */
export function plausibleOnly<T>(parse: (value: string) => RowResult<T>, problem: (row: T) => string | undefined): (value: string) => RowResult<T> {
  return (value) => {
    const result = parse(value);
    if (!result.ok) return result;
    const implausible = problem(result.row);
    return implausible ? fail(implausible) : result;
  };
}

/**
 * How a silver quarantine row names its bronze record: topic, partition and offset, and the landing file
 * it came in when it came in one (dumps replayed from files repeat offsets: the file tells them apart).
 */
export function recordSource(topic: string, partition: Cell, offset: Cell, sourceFile: Cell): string {
  const record = `kafka:${topic}/${partition}@${offset}`;
  return typeof sourceFile === 'string' && !sourceFile.startsWith('kafka:') ? `${record} in ${sourceFile}` : record;
}
