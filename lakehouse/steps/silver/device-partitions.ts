/**
 * Readings of a large range split by device range before they are merged, so that the range merges in
 * pieces that do not overlap: arriving in random order (a backfill, a merged export), readings of every
 * device and day come in every chunk, and chunks in arrival order each overlap every file merged before
 * them, which makes the merge read the table again and again. Split by device, each key is in exactly one
 * piece, each piece writes files of a narrow device range, and a piece (or a later run) reads only the
 * stored files of its devices.
 *
 * The device boundaries come from the first readings (a sample: any split is correct, a good one only
 * faster). Readings wait in one spill file per piece on local disk, as (device, time, heartrate) doubles,
 * so memory follows the buffers, not the range. The spill files are written and read synchronously: a
 * reading is added per call without an await, and a flush is a few hundred kilobytes to local disk.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** Readings buffered per piece before they are appended to its spill file. */
const BUFFER_READINGS = 8192;
/** Readings sampled to set the boundaries. */
export const SAMPLE_READINGS = 65_536;

/** `pieces - 1` ascending device boundaries from a sample of devices: piece i holds devices <= boundaries[i]. */
export function deviceBoundaries(sample: Float64Array, pieces: number): Float64Array {
  const sorted = Float64Array.from(sample).sort();
  const out: number[] = [];
  for (let i = 1; i < pieces; i++) {
    const b = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / pieces))]!;
    if (out.length === 0 || b > out[out.length - 1]!) out.push(b);
  }
  return Float64Array.from(out);
}

/** The piece of a device: the first boundary at or above it (binary search), or the last piece. */
export function pieceOf(boundaries: Float64Array, device: number): number {
  let lo = 0;
  let hi = boundaries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (boundaries[mid]! < device) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Spill files of readings, one per piece, in a temporary folder removed by close(). */
export class DevicePartitions {
  private readonly buffers: Float64Array[];
  private readonly filled: number[];
  private readonly files: (number | undefined)[];
  private readonly counts: number[];

  private constructor(
    private readonly dir: string,
    readonly boundaries: Float64Array,
  ) {
    const pieces = boundaries.length + 1;
    this.buffers = Array.from({ length: pieces }, () => new Float64Array(3 * BUFFER_READINGS));
    this.filled = new Array<number>(pieces).fill(0);
    this.files = new Array<number | undefined>(pieces).fill(undefined);
    this.counts = new Array<number>(pieces).fill(0);
  }

  static async create(boundaries: Float64Array): Promise<DevicePartitions> {
    return new DevicePartitions(await mkdtemp(path.join(os.tmpdir(), 'fitlake-pieces-')), boundaries);
  }

  get pieces(): number {
    return this.buffers.length;
  }

  add(device: number, time: number, heartrate: number): void {
    const p = pieceOf(this.boundaries, device);
    const buffer = this.buffers[p]!;
    const at = 3 * this.filled[p]!;
    buffer[at] = device;
    buffer[at + 1] = time;
    buffer[at + 2] = heartrate;
    this.counts[p]!++;
    if (++this.filled[p]! === BUFFER_READINGS) this.flush(p);
  }

  private flush(p: number): void {
    if (this.filled[p] === 0) return;
    this.files[p] ??= openSync(path.join(this.dir, String(p)), 'a');
    const buffer = this.buffers[p]!;
    const bytes = new Uint8Array(buffer.buffer, 0, 3 * this.filled[p]! * 8);
    for (let at = 0; at < bytes.length; ) at += writeSync(this.files[p]!, bytes, at);
    this.filled[p] = 0;
  }

  /** The readings of each piece in turn, in the order they were added: device, time and heartrate arrays. */
  async *readings(): AsyncGenerator<{ device: Float64Array; time: Float64Array; heartrate: Float64Array }> {
    for (let p = 0; p < this.pieces; p++) this.flush(p);
    for (const f of this.files) if (f !== undefined) closeSync(f);
    this.files.fill(undefined);
    for (let p = 0; p < this.pieces; p++) {
      if (this.counts[p] === 0) continue;
      const bytes = readFileSync(path.join(this.dir, String(p)));
      // Copied into an array of its own: a read buffer need not start at a multiple of 8 bytes.
      const all = new Float64Array(bytes.byteLength / 8);
      new Uint8Array(all.buffer).set(bytes);
      const n = all.length / 3;
      const device = new Float64Array(n);
      const time = new Float64Array(n);
      const heartrate = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        device[i] = all[3 * i]!;
        time[i] = all[3 * i + 1]!;
        heartrate[i] = all[3 * i + 2]!;
      }
      rmSync(path.join(this.dir, String(p)), { force: true });
      yield { device, time, heartrate };
    }
  }

  async close(): Promise<void> {
    for (const f of this.files) if (f !== undefined) closeSync(f);
    this.files.fill(undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
