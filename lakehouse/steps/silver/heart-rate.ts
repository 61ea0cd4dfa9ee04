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
import type { Cell } from '../../../schema/types.ts';
import { heartRate, kafkaMultiplexBz } from '../../../schema/tables.ts';
import { plausibility } from '../../rules/plausible.ts';
import { numberColumn, type ColumnBatch, doubled } from '../../table/columns/index.ts';
import { statsOf, fileMayMatch, type Predicate, dataFileBytes } from '../../table/files/index.ts';
import { SeriesKeyIndex } from '../../table/keys/index.ts';
import { parseBpmFile } from '../../kernels/bpm-file.ts';
import type { TaskOutput } from '../../threads/tasks.ts';
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

  output(): ComputeOutput<typeof heartRate> {
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

/** The parsed readings of a range split into device pieces on local disk, each yielded as one deduplicated chunk; the last is final. */
async function* mergeByDevice(
  parsedFiles: AsyncIterable<TaskOutput<'parseBpmFile'>>,
  records: number,
  fileCount: number,
  ctx: StepContext,
  quarantine: QuarantineBuffer,
): AsyncGenerator<ComputeOutput<typeof heartRate>> {
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
    let pending: ComputeOutput<typeof heartRate> | undefined;
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
        const snapshot = bz.snapshot;
        const files = bz.files.filter((f) => fileMayMatch(f, snapshot.columns, snapshot.partitionColumns, [BPM_TOPIC]));
        const columns = PAYLOAD_COLUMNS.map((name) => snapshot.columns.find((c) => c.name === name)!);
        // A chunk is sized for the records of the files (their statistics), at most a full chunk of the default size.
        const records = files.reduce((n, f) => n + (statsOf(f, snapshot.columns, snapshot.partitionColumns).numRecords ?? 1024), 0);
        const chunkCapacity = () => Math.min(records, heartRateTuning.chunkRows, 1 << 18);
        // A few small files are parsed here rather than wait for worker threads to start.
        const pool = files.reduce((n, f) => n + f.size, 0) >= heartRateTuning.minOffThreadBytes ? ctx.threads : undefined;
        const parseFile = (bytes: Uint8Array): Promise<TaskOutput<'parseBpmFile'>> =>
          pool ? pool.run('parseBpmFile', { bytes, columns, plausibility: { ...plausibility } }) : parseBpmFile({ bytes, columns }).then((r) => r.output);
        // Files parsed ahead (on worker threads when there are any), taken back in order: while this thread
        // merges a chunk, the workers parse the next files. A parsed file is three number arrays (~2.4 MB per
        // 100k readings), so enough are kept in flight to cover a merge.
        const ahead = pool ? 4 * pool.size : 1;
        let parsedFiles = 0;
        const parsedInOrder = inOrder(files, ahead, (add) => dataFileBytes(bz.table.store, snapshot, add).then(parseFile));
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
      whenMatched: (target, source) => (replacesReading(target.heartrate, source.heartrate) ? source : undefined),
    }),
};
