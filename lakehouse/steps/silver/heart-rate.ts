/**
 * Silver heart_rate: one reading per (device_id, time); valid = 0 < heartrate < 300 (invalid ones are
 * kept, flagged). Of two readings with one key the lower heart rate stays: an order-independent choice,
 * so the new bronze records can be taken in chunks of files, each deduplicated in itself and merged on
 * its own (see incremental-step.ts): a key repeated in a later chunk meets the stored row in the merge.
 * Readings are kept column by column, never as one object per row. With worker threads (threads/pool.ts)
 * the payloads of many files are parsed there, files taken back in order, so the rows are the same.
 */
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import { heartRate, kafkaMultiplexBz } from '../../../schema/tables.ts';
import { parseBpm } from '../../parse/payloads.ts';
import type { ColumnBatch } from '../../table/column-batch.ts';
import { KeyIndex } from '../../table/key-index.ts';
import { decodeParquetBatches } from '../../table/parquet-read.ts';
import { fileMayMatch, type Predicate } from '../../table/predicate.ts';
import { dataFileBytes } from '../../table/scan.ts';
import { workerPool } from '../../threads/pool.ts';
import type { TaskOutput } from '../../threads/tasks.ts';
import type { Row } from '../../table/operations/merge.ts';
import { runIncremental, type ComputeOutput } from '../incremental-step.ts';
import type { Step } from '../step.ts';

const STEP = 'silver_heart_rate';
/** Sizes of the step's work; tests make them small to cut a few readings into many chunks. */
export const heartRateTuning = {
  /** Readings per merged chunk: bounds the step's memory whatever the size of the upstream range. */
  chunkRows: 500_000,
  /** From this many bytes of bronze files on, payloads are parsed on worker threads (when there are any). */
  minOffThreadBytes: 4 * 1024 * 1024,
};
const SCAN_BATCH_ROWS = 65_536;
const PAYLOAD_COLUMNS = ['value', 'partition', 'offset'];
const BPM_TOPIC: Predicate = { column: 'topic', op: '=', value: 'bpm' };

/** Readings deduplicated by (device_id, time) as they come, in the order each key was first seen. */
class ReadingChunk {
  private readonly slots = new KeyIndex(2);
  private readonly device: number[] = [];
  private readonly time: number[] = [];
  private readonly heartrate: number[] = [];
  private readonly keys = [this.device, this.time];
  duplicates = 0;
  recordsIn = 0;

  get size(): number {
    return this.device.length;
  }

  add(device: number, time: number, heartrate: number): void {
    const row = this.device.length;
    this.device.push(device);
    this.time.push(time);
    const slot = this.slots.add(this.keys, row, row);
    if (slot === undefined) {
      this.heartrate.push(heartrate);
    } else {
      this.device.pop();
      this.time.pop();
      this.duplicates++;
      // The lower heart rate of the two; on a tie the first stays.
      if (heartrate < this.heartrate[slot]!) this.heartrate[slot] = heartrate;
    }
  }

  output(): ComputeOutput {
    const valid = new Array<Cell>(this.heartrate.length);
    for (let i = 0; i < valid.length; i++) valid[i] = this.heartrate[i]! > 0 && this.heartrate[i]! < 300;
    const batch: ColumnBatch = {
      numRows: this.device.length,
      columns: new Map<string, readonly Cell[]>([
        ['device_id', this.device],
        ['time', this.time],
        ['heartrate', this.heartrate],
        ['valid', valid],
      ]),
    };
    return { batch, recordsIn: this.recordsIn, duplicates: this.duplicates, uniqueKeys: true };
  }
}

/**
 * The readings of one bronze file of the bpm topic, from its Parquet bytes: the worker task
 * (threads/tasks.ts). The same parsing as in-thread, in the file's row order; refused payloads come
 * back with their partition and offset for quarantine.
 */
export async function parseBpmFile(input: { bytes: Uint8Array; columns: ColumnDef[] }) {
  const device: number[] = [];
  const time: number[] = [];
  const heartrate: number[] = [];
  const failures: { partition: Cell; offset: Cell; value: string; reason: string }[] = [];
  let recordsIn = 0;
  for await (const batch of decodeParquetBatches(input.bytes, input.columns, SCAN_BATCH_ROWS)) {
    const values = batch.columns.get('value')!;
    const partitions = batch.columns.get('partition')!;
    const offsets = batch.columns.get('offset')!;
    for (let i = 0; i < batch.numRows; i++) {
      recordsIn++;
      const value = values[i] as string;
      const parsed = parseBpm(value);
      if (parsed.ok) {
        device.push(parsed.row.device_id);
        time.push(parsed.row.time);
        heartrate.push(parsed.row.heartrate);
      } else {
        failures.push({ partition: partitions[i]!, offset: offsets[i]!, value, reason: parsed.reason });
      }
    }
  }
  // Safe integers and doubles are exact in a Float64Array; the arrays are handed over, not copied.
  const output = { device: Float64Array.from(device), time: Float64Array.from(time), heartrate: Float64Array.from(heartrate), recordsIn, failures };
  return { output, transfer: [output.device.buffer, output.time.buffer, output.heartrate.buffer] };
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
        let chunk = new ReadingChunk();
        const pool = workerPool();
        const snapshot = bz!.snapshot;
        const files = bz!.files.filter((f) => fileMayMatch(f, snapshot.columns, snapshot.partitionColumns, [BPM_TOPIC]));
        if (pool && files.reduce((n, f) => n + f.size, 0) >= heartRateTuning.minOffThreadBytes) {
          // Files parsed on worker threads, a few ahead, taken back in order: while this thread merges a
          // chunk, the workers parse the next files.
          const columns = PAYLOAD_COLUMNS.map((name) => snapshot.columns.find((c) => c.name === name)!);
          const inFlight: Promise<TaskOutput<'parseBpmFile'>>[] = [];
          let next = 0;
          const send = () => {
            const add = files[next++]!;
            const parsed = dataFileBytes(bz!.table.store, snapshot, add).then((bytes) => pool.run('parseBpmFile', { bytes, columns }));
            // Awaited in order below; a failure of a later file must not go unhandled meanwhile.
            parsed.catch(() => undefined);
            inFlight.push(parsed);
          };
          while (next < files.length && inFlight.length <= pool.size) send();
          while (inFlight.length > 0) {
            const parsed = await inFlight.shift()!;
            if (next < files.length) send();
            chunk.recordsIn += parsed.recordsIn;
            for (let i = 0; i < parsed.device.length; i++) chunk.add(parsed.device[i]!, parsed.time[i]!, parsed.heartrate[i]!);
            for (const f of parsed.failures) quarantine.add(`kafka:bpm/${f.partition}@${f.offset}`, f.value, f.reason);
            ctx.progress?.({ records: chunk.recordsIn, detail: `${heartRate.name}: bronze file ${next - inFlight.length} of ${files.length} parsed` });
            if (chunk.size >= heartRateTuning.chunkRows) {
              yield chunk.output();
              chunk = new ReadingChunk();
            }
          }
          yield { ...chunk.output(), final: true };
          return;
        }
        // One bronze file at a time: only the value is parsed; partition and offset name a refused record.
        for await (const batch of bz!.table.scan({
          snapshot: bz!.snapshot,
          files: bz!.files,
          columns: PAYLOAD_COLUMNS,
          predicates: [BPM_TOPIC],
          // Slices of a file: each slice's payload strings die before the next slice is decoded.
          batchRows: SCAN_BATCH_ROWS,
        })) {
          const values = batch.columns.get('value')!;
          const partitions = batch.columns.get('partition')!;
          const offsets = batch.columns.get('offset')!;
          for (let i = 0; i < batch.numRows; i++) {
            chunk.recordsIn++;
            const value = values[i] as string;
            const parsed = parseBpm(value);
            if (parsed.ok) chunk.add(parsed.row.device_id, parsed.row.time, parsed.row.heartrate);
            else quarantine.add(`kafka:bpm/${partitions[i]}@${offsets[i]}`, value, parsed.reason);
          }
          ctx.progress?.({ records: chunk.recordsIn, detail: `${heartRate.name}: reading bronze` });
          if (chunk.size >= heartRateTuning.chunkRows) {
            yield chunk.output();
            chunk = new ReadingChunk();
          }
        }
        yield { ...chunk.output(), final: true };
      },
      whenMatched: (target: Row, source: Row) => ((source.heartrate as number) < (target.heartrate as number) ? source : undefined),
    }),
};
