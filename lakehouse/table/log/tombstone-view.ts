/**
 * The tombstones of a snapshot loaded from a checkpoint whose own tombstones are not decoded yet
 * (checkpoint.ts, CheckpointTombstones): those the commits after the checkpoint recorded, then the
 * checkpoint's, less the ones that have expired by the load's clock and the paths added again since
 * (a live file is no tombstone; a path removed again is among the recent ones). Nothing is decoded
 * until a method is called, and only vacuum and checkpoint writing call them.
 */
import type { AddAction } from './actions.ts';
import type { CheckpointTombstones } from './checkpoint.ts';

export class TombstoneView implements ReadonlyMap<string, number> {
  constructor(
    /** The checkpoint's tombstones (decoded on first use). */
    private readonly older: CheckpointTombstones,
    /** Removed by the commits after the checkpoint, at this version. */
    private readonly recent: ReadonlyMap<string, number>,
    /** Live files at this version. */
    private readonly files: ReadonlyMap<string, AddAction>,
    /** Tombstones of the checkpoint removed before this (ms) have expired. */
    private readonly cutoff: number,
  ) {}

  /** Whether the checkpoint's tombstones have been decoded (by this view or another of the lineage). */
  get decoded(): boolean {
    return this.older.loaded;
  }

  get(key: string): number | undefined {
    const recent = this.recent.get(key);
    if (recent !== undefined) return recent;
    const at = this.older.get(key);
    return at !== undefined && at >= this.cutoff && !this.files.has(key) ? at : undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get size(): number {
    let n = 0;
    for (const _ of this.keys()) n++;
    return n;
  }

  *entries(): MapIterator<[string, number]> {
    yield* this.recent.entries();
    for (const [key, at] of this.older) if (at >= this.cutoff && !this.files.has(key) && !this.recent.has(key)) yield [key, at];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<number> {
    for (const [, at] of this.entries()) yield at;
  }

  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (const [key, at] of this.entries()) callback.call(thisArg, at, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.entries();
  }
}
