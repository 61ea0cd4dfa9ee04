/**
 * Heart-rate readings joined with workout windows into workout_bpm rows: every valid reading of a
 * device with start_time < time <= end_time of one of its windows. CPU work with no I/O, run on a worker
 * thread for a heart_rate file's Parquet bytes (joinReadingsFile, threads/tasks.ts) or in-thread over a
 * scan (joinReadings) by silver workout_bpm.
 */
import { heartRate, workoutBpm, type CompletedWorkoutRow } from '../../schema/tables.ts';
import type { ColumnDef } from '../../schema/types.ts';
import { columnOf, doubled, numberColumn, toWire, type ColumnBatch } from '../table/columns/index.ts';
import { decodeParquetBatches } from '../table/parquet/index.ts';

/** Rows per decoded slice of a heart_rate file. */
const SCAN_BATCH_ROWS = 65_536;

/**
 * The workout_bpm rows of one heart_rate file's readings, column by column, in Float64Arrays: every
 * column of workout_bpm is a number that is never null (the windows are completed_workouts rows, whose
 * columns are all such).
 */
export class JoinedRows {
  private columns: Float64Array<ArrayBuffer>[] = workoutBpm.columns.map(() => new Float64Array(1024));
  size = 0;
  recordsIn = 0;

  emit(w: CompletedWorkoutRow, time: number, heartrate: number): void {
    const { user_id: user, workout_id: workout, session_id: session, start_time: start, end_time: end } = w;
    const row = this.size;
    if (row === this.columns[0]!.length) this.columns = this.columns.map((c) => doubled(c));
    const [u, wo, se, st, en, t, hr] = this.columns as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
    u[row] = user;
    wo[row] = workout;
    se[row] = session;
    st[row] = start;
    en[row] = end;
    t[row] = time;
    hr[row] = heartrate;
    this.size = row + 1;
  }

  batch(): ColumnBatch {
    return { numRows: this.size, columns: new Map(workoutBpm.columns.map((c, i) => [c.name, numberColumn(this.columns[i]!.subarray(0, this.size))])) };
  }

  /** The buffers of the columns, to hand over to another thread with the batch. */
  buffers(): ArrayBuffer[] {
    return this.columns.map((c) => c.buffer as ArrayBuffer);
  }
}

/** Emit, for each valid reading of the batch, a row per candidate window of its device that holds it. */
function joinBatch(batch: ColumnBatch, windowsOfDevice: (device: number) => readonly CompletedWorkoutRow[] | undefined, out: JoinedRows): void {
  const device = columnOf(heartRate, batch, 'device_id');
  const time = columnOf(heartRate, batch, 'time');
  const heartrate = columnOf(heartRate, batch, 'heartrate');
  const valid = columnOf(heartRate, batch, 'valid');
  let lastDevice: number | null = null;
  let windows: readonly CompletedWorkoutRow[] | undefined;
  for (let i = 0; i < batch.numRows; i++) {
    if (!valid[i]) continue;
    const d = device[i]!;
    if (d !== lastDevice) {
      windows = windowsOfDevice(d);
      lastDevice = d;
    }
    if (windows === undefined) continue;
    const t = time[i]!;
    for (const w of windows) if (w.start_time < t && t <= w.end_time) out.emit(w, t, heartrate[i]!);
  }
}

/** Candidate windows (completed workouts) by device. */
export type WindowsOfDevice = Map<number, readonly CompletedWorkoutRow[]>;

/** The workout_bpm rows of readings (a heart_rate file's batches) within the windows of their devices. */
export async function joinReadings(batches: AsyncIterable<ColumnBatch>, windows: WindowsOfDevice): Promise<JoinedRows> {
  const out = new JoinedRows();
  for await (const batch of batches) {
    out.recordsIn += batch.numRows;
    joinBatch(batch, (device) => windows.get(device), out);
  }
  return out;
}

/**
 * The workout_bpm rows of one heart_rate file's readings within the windows of their devices, from the
 * file's Parquet bytes: the worker task (threads/tasks.ts), also run in-thread when there are no workers.
 */
export async function joinReadingsFile(input: { bytes: Uint8Array; columns: ColumnDef[]; windows: WindowsOfDevice }) {
  const out = await joinReadings(decodeParquetBatches(input.bytes, input.columns, SCAN_BATCH_ROWS, { numberArrays: true }), input.windows);
  const { wire, made } = toWire(out.batch());
  return { output: { rows: wire, recordsIn: out.recordsIn }, transfer: [...made, ...out.buffers()] };
}
