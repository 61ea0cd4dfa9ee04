/**
 * Silver heart_rate: one reading per (device_id, time); valid = 0 < heartrate < 300 (invalid ones are
 * kept, flagged). Of two readings with one key a valid one beats an invalid one, then the lower heart
 * rate stays (rules/heart-rate-reading.ts): an order-independent choice,
 * so the new bronze records can be taken in chunks of files, each deduplicated in itself and merged on
 * its own (see incremental-step.ts): a key repeated in a later chunk meets the stored row in the merge.
 * Readings are kept column by column, never as one object per row. Payloads are read file by file from
 * the bytes of bronze's value column (parseBpmFile); with worker threads (threads/pool.ts) the files are
 * parsed there, taken back in order, so the rows are the same.
 */
import { Type } from 'apache-arrow';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import { heartRate, kafkaMultiplexBz } from '../../../schema/tables.ts';
import { BpmPayloadReader } from '../../parse/bpm-bytes.ts';
import { parseBpm } from '../../parse/payloads.ts';
import { plausibility, readingProblem } from '../../rules/plausible.ts';
import { numberColumn, type ColumnBatch, doubled } from '../../table/columns/index.ts';
import { statsOf, fileMayMatch, type Predicate, dataFileBytes } from '../../table/files/index.ts';
import { decodeColumn, decodeParquet, readArrowBatches } from '../../table/parquet/index.ts';
import { SeriesKeyIndex } from '../../table/keys/index.ts';
import { workerPool } from '../../threads/pool.ts';
import type { TaskOutput } from '../../threads/tasks.ts';
import type { Row } from '../../table/operations/index.ts';
import { isValidHeartRate, replacesReading } from '../../rules/heart-rate-reading.ts';
import { runIncremental, type ComputeOutput } from '../incremental-step.ts';
import { recordSource } from './topic-payloads.ts';
import { deviceBoundaries, DevicePartitions, SAMPLE_READINGS } from './device-partitions.ts';
import { inOrder } from '../in-order.ts';
import type { Step, StepContext } from '../step.ts';
import type { QuarantineBuffer } from '../quarantine.ts';

const STEP = 'silver_heart_rate';
/** Sizes of the step's work; tests make them small to cut a few readings into many chunks. */
export const heartRateTuning = {
  /** Readings per merged chunk: bounds the step's memory whatever the size of the upstream range. */
  chunkRows: 250_000,
  /** From this many bytes of bronze files on, payloads are parsed on worker threads (when there are any). */
  minOffThreadBytes: 4 * 1024 * 1024,
};
const SCAN_BATCH_ROWS = 65_536;
const PAYLOAD_COLUMNS = ['value', 'partition', 'offset', 'source_file'];
const BPM_TOPIC: Predicate = { column: 'topic', op: '=', value: 'bpm' };

/**
 * Readings deduplicated by (device_id, time) as they come, in the order each key was first seen. A
 * device's readings mostly come in time order, which SeriesKeyIndex turns into a compare per reading.
 */
class ReadingChunk {
  private readonly keys: SeriesKeyIndex;
  private heartrate: Float64Array;
  duplicates = 0;
  recordsIn = 0;

  /** `expected`: the readings the chunk will likely hold, so that its index is not rebuilt as it fills. */
  constructor(expected: number) {
    this.keys = new SeriesKeyIndex(expected);
    this.heartrate = new Float64Array(Math.max(16, expected));
  }

  get size(): number {
    return this.keys.size;
  }

  add(device: number, time: number, heartrate: number): void {
    const have = this.keys.addOrFind(device, time);
    if (have < 0) {
      const row = this.keys.size - 1;
      if (row === this.heartrate.length) this.heartrate = doubled(this.heartrate);
      this.heartrate[row] = heartrate;
    } else {
      this.duplicates++;
      // The spec's choice (rules/heart-rate-reading.ts): valid over invalid, then the lower; a tie keeps the first.
      if (replacesReading(this.heartrate[have]!, heartrate)) this.heartrate[have] = heartrate;
    }
  }

  output(): ComputeOutput {
    const n = this.keys.size;
    const heartrate = this.heartrate.subarray(0, n);
    const valid = new Array<Cell>(n);
    for (let i = 0; i < n; i++) valid[i] = isValidHeartRate(heartrate[i]!);
    const batch: ColumnBatch = {
      numRows: n,
      columns: new Map<string, readonly Cell[]>([
        ['device_id', numberColumn(this.keys.first.subarray(0, n))],
        ['time', numberColumn(this.keys.second.subarray(0, n))],
        ['heartrate', numberColumn(heartrate)],
        ['valid', valid],
      ]),
    };
    return { batch, recordsIn: this.recordsIn, duplicates: this.duplicates, uniqueKeys: true };
  }
}

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

/** The parsed readings of a range split into device pieces on local disk, each yielded as one deduplicated chunk; the last is final. */
async function* mergeByDevice(
  parsedFiles: AsyncIterable<TaskOutput<'parseBpmFile'>>,
  records: number,
  fileCount: number,
  ctx: StepContext,
  quarantine: QuarantineBuffer,
): AsyncGenerator<ComputeOutput> {
  const pieces = Math.ceil(records / heartRateTuning.chunkRows);
  let partitions: DevicePartitions | undefined;
  // The first readings, kept until they set the device boundaries.
  const sample: { device: Float64Array; time: Float64Array; heartrate: Float64Array }[] = [];
  let sampled = 0;
  let recordsIn = 0;
  let parsed = 0;
  const place = (batch: { device: Float64Array; time: Float64Array; heartrate: Float64Array }) => {
    for (let i = 0; i < batch.device.length; i++) partitions!.add(batch.device[i]!, batch.time[i]!, batch.heartrate[i]!);
  };
  const start = async () => {
    const devices = new Float64Array(sampled);
    let at = 0;
    for (const b of sample) {
      devices.set(b.device, at);
      at += b.device.length;
    }
    partitions = await DevicePartitions.create(deviceBoundaries(devices.length > 0 ? devices : Float64Array.of(0), pieces));
    for (const b of sample.splice(0)) place(b);
  };
  try {
    for await (const file of parsedFiles) {
      parsed++;
      recordsIn += file.recordsIn;
      for (const f of file.failures) quarantine.add(recordSource('bpm', f.partition, f.offset, f.sourceFile), f.value, f.reason);
      if (partitions) place(file);
      else {
        sample.push(file);
        sampled += file.device.length;
        if (sampled >= SAMPLE_READINGS) await start();
      }
      ctx.progress?.({ records: recordsIn, detail: `${heartRate.name}: bronze file ${parsed} of ${fileCount} parsed and split by device` });
    }
    if (!partitions) await start();
    let pending: ComputeOutput | undefined;
    for await (const piece of partitions!.readings()) {
      if (pending) yield pending;
      const chunk = new ReadingChunk(piece.device.length);
      for (let i = 0; i < piece.device.length; i++) chunk.add(piece.device[i]!, piece.time[i]!, piece.heartrate[i]!);
      // The range's records count once, with the first piece.
      chunk.recordsIn = pending ? 0 : recordsIn;
      pending = chunk.output();
    }
    yield { ...(pending ?? { ...new ReadingChunk(16).output(), recordsIn }), final: true };
  } finally {
    await partitions?.close();
  }
}

export const silverHeartRate: Step = {
  name: STEP,
  layer: 'silver',
  reads: [kafkaMultiplexBz],
  writes: [heartRate],
  run: (ctx) =>
    runIncremental(ctx, {
      step: STEP,
      target: heartRate,
      upstream: [kafkaMultiplexBz],
      async *computeChunks({ ctx, ranges: [bz], quarantine }) {
        const snapshot = bz!.snapshot;
        const files = bz!.files.filter((f) => fileMayMatch(f, snapshot.columns, snapshot.partitionColumns, [BPM_TOPIC]));
        const columns = PAYLOAD_COLUMNS.map((name) => snapshot.columns.find((c) => c.name === name)!);
        // A chunk is sized for the records of the files (their statistics), at most a full chunk of the default size.
        const records = files.reduce((n, f) => n + (statsOf(f, snapshot.columns, snapshot.partitionColumns).numRecords ?? 1024), 0);
        const chunkCapacity = () => Math.min(records, heartRateTuning.chunkRows, 1 << 18);
        // A few small files are parsed here rather than wait for worker threads to start.
        const pool = files.reduce((n, f) => n + f.size, 0) >= heartRateTuning.minOffThreadBytes ? workerPool() : undefined;
        const parseFile = (bytes: Uint8Array): Promise<TaskOutput<'parseBpmFile'>> =>
          pool ? pool.run('parseBpmFile', { bytes, columns, plausibility: { ...plausibility } }) : parseBpmFile({ bytes, columns }).then((r) => r.output);
        // Files parsed ahead (on worker threads when there are any), taken back in order: while this thread
        // merges a chunk, the workers parse the next files. A parsed file is three number arrays (~2.4 MB per
        // 100k readings), so enough are kept in flight to cover a merge.
        const ahead = pool ? 4 * pool.size : 1;
        let parsedFiles = 0;
        const parsedInOrder = inOrder(files, ahead, (add) => dataFileBytes(bz!.table.store, snapshot, add).then(parseFile));
        if (records > heartRateTuning.chunkRows) {
          // A range of several chunks: split by device first (device-partitions.ts), each piece merged once.
          yield* mergeByDevice(parsedInOrder, records, files.length, ctx, quarantine);
          return;
        }
        let chunk = new ReadingChunk(chunkCapacity());
        for await (const parsed of parsedInOrder) {
          parsedFiles++;
          chunk.recordsIn += parsed.recordsIn;
          for (let i = 0; i < parsed.device.length; i++) chunk.add(parsed.device[i]!, parsed.time[i]!, parsed.heartrate[i]!);
          for (const f of parsed.failures) quarantine.add(recordSource('bpm', f.partition, f.offset, f.sourceFile), f.value, f.reason);
          ctx.progress?.({ records: chunk.recordsIn, detail: `${heartRate.name}: bronze file ${parsedFiles} of ${files.length} parsed` });
          if (chunk.size >= heartRateTuning.chunkRows) {
            yield chunk.output();
            chunk = new ReadingChunk(chunkCapacity());
          }
        }
        yield { ...chunk.output(), final: true };
      },
      whenMatched: (target: Row, source: Row) => (replacesReading(target.heartrate as number, source.heartrate as number) ? source : undefined),
    }),
};
