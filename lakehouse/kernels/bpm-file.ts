/**
 * A bronze file of the bpm topic into heart-rate readings, from its Parquet bytes: CPU work with no
 * I/O, run on a worker thread (threads/tasks.ts) or in-thread by silver heart_rate.
 */
import { Type } from 'apache-arrow';
import type { Cell, ColumnDef } from '../../schema/types.ts';
import { BpmPayloadReader } from '../parse/bpm-bytes.ts';
import { parseBpm } from '../parse/payloads.ts';
import { plausibility, readingProblem } from '../rules/plausible.ts';
import { decodeColumn, decodeParquet, readArrowBatches } from '../table/parquet/index.ts';

/** Rows per decoded slice of a bronze file. */
const SCAN_BATCH_ROWS = 65_536;

/**
 * The readings of one bronze file of the bpm topic, from its Parquet bytes: the worker task
 * (threads/tasks.ts), also run in-thread when there are no workers. Payloads are read from the value
 * column's UTF-8 bytes by BpmPayloadReader; one it does not read is parsed as text by parseBpm, which keeps it or refuses it: the
 * readings of parsing every payload as text, in the file's row order. Refused payloads come back with
 * their partition and offset for quarantine.
 */
export async function parseBpmFile(input: { bytes: Uint8Array; columns: ColumnDef[]; plausibility?: typeof plausibility }) {
  // On a worker thread, the bounds of the process that handed out the file (its settings).
  if (input.plausibility) Object.assign(plausibility, input.plausibility);
  const refused: { row: number; value: string; reason: string }[] = [];
  const reader = new BpmPayloadReader();
  const columnOf = (name: string) => input.columns.find((c) => c.name === name)!;
  // Only the payloads: partition, offset and source file, which only name a refused record, are read for a file that has one.
  const { batches } = await readArrowBatches(input.bytes, [columnOf('value')], SCAN_BATCH_ROWS);
  // At most one reading per record: sized once, filled in order, cut to the readings at the end.
  const recordsIn = batches.reduce((n, batch) => n + batch.numRows, 0);
  const device = new Float64Array(recordsIn);
  const time = new Float64Array(recordsIn);
  const heartrate = new Float64Array(recordsIn);
  let readings = 0;
  // The file's row of the batch's first row.
  let firstRow = 0;
  // Plausible readings (rules/plausible.ts), tested on the fast paths with two comparisons per bound.
  const now = Date.now();
  const earliest = plausibility.earliestMicros;
  const latest = (now + plausibility.futureMs) * 1000;
  const plausible = (d: number, t: number) => d > 0 && t >= earliest && t <= latest;
  const refuseImplausible = (row: number, d: number, t: number, bytes: Uint8Array, start: number, end: number) =>
    refused.push({ row: firstRow + row, value: Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'), reason: readingProblem(d, t, now)! });
  for (const batch of batches) {
    const valueVector = batch.getChild('value')!;
    const asText = (row: number, value: string) => {
      const parsed = parseBpm(value);
      const implausible = parsed.ok ? readingProblem(parsed.row.device_id, parsed.row.time, now) : undefined;
      if (implausible) {
        refused.push({ row: firstRow + row, value, reason: implausible });
      } else if (parsed.ok) {
        device[readings] = parsed.row.device_id;
        time[readings] = parsed.row.time;
        heartrate[readings++] = parsed.row.heartrate;
      } else {
        refused.push({ row: firstRow + row, value, reason: parsed.reason });
      }
    };
    if (valueVector.type.typeId !== Type.Utf8 || valueVector.nullCount > 0) {
      // Another writer's string type (large or dictionary strings), or nulls (which decodeColumn refuses in
      // this non-nullable column, naming the row): the values as text.
      const values = decodeColumn(columnOf('value'), valueVector, batch.numRows);
      for (let i = 0; i < batch.numRows; i++) asText(i, values[i] as string);
      firstRow += batch.numRows;
      continue;
    }
    let row = 0;
    for (const chunk of valueVector.data) {
      const offsets = chunk.valueOffsets as Int32Array;
      const bytes = chunk.values as Uint8Array;
      for (let i = 0; i < chunk.length; i++, row++) {
        const start = offsets[chunk.offset + i]!;
        const end = offsets[chunk.offset + i + 1]!;
        if (reader.read(bytes, start, end)) {
          if (!plausible(reader.deviceId, reader.time)) {
            refuseImplausible(row, reader.deviceId, reader.time, bytes, start, end);
            continue;
          }
          device[readings] = reader.deviceId;
          time[readings] = reader.time;
          heartrate[readings++] = reader.heartrate;
        } else {
          asText(row, Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('utf8'));
        }
      }
    }
    firstRow += batch.numRows;
  }
  const failures: { partition: Cell; offset: Cell; sourceFile: Cell; value: string; reason: string }[] = [];
  if (refused.length > 0) {
    const names = await decodeParquet(input.bytes, [columnOf('partition'), columnOf('offset'), columnOf('source_file')]);
    const partitions = names.columns.get('partition')!;
    const offsets = names.columns.get('offset')!;
    const files = names.columns.get('source_file')!;
    for (const r of refused) failures.push({ partition: partitions[r.row]!, offset: offsets[r.row]!, sourceFile: files[r.row]!, value: r.value, reason: r.reason });
  }
  // Safe integers and doubles are exact in a Float64Array; the arrays are handed over, not copied (when
  // records were refused, with their unused tail).
  const output = { device: device.subarray(0, readings), time: time.subarray(0, readings), heartrate: heartrate.subarray(0, readings), recordsIn, failures };
  return { output, transfer: [device.buffer, time.buffer, heartrate.buffer] };
}
