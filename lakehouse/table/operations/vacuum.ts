/**
 * Vacuum: delete data files the table no longer references once they are older than the retention
 * period, counted from their removal (tombstone) or, for files never committed (a writer crashed
 * before its commit), from their last modification. Files of the current version are never touched, and
 * time travel keeps working for versions younger than the retention.
 */
import type { ObjectStore } from '../../storage/object-store.ts';
import type { Snapshot } from '../snapshot.ts';
import { uriPathToKey } from '../values.ts';

export interface VacuumOptions {
  /** @default 168 (one week, as Delta's default) */
  retentionHours?: number;
  dryRun?: boolean;
  now?: () => number;
}

export interface VacuumResult {
  deleted: string[];
  bytes: number;
}

/** Delete unreferenced files past retention; returns what was (or, dry, would be) deleted. */
export async function vacuum(store: ObjectStore, snapshot: Snapshot, options: VacuumOptions = {}): Promise<VacuumResult> {
  const { retentionHours = 168, dryRun = false, now = Date.now } = options;
  const cutoff = now() - retentionHours * 3_600_000;
  const live = new Set([...snapshot.files.keys()].map(uriPathToKey));
  const tombstones = new Map([...snapshot.tombstones].map(([path, at]) => [uriPathToKey(path), at]));
  const result: VacuumResult = { deleted: [], bytes: 0 };
  for (const info of await store.list('')) {
    // The log and hidden files (names starting with _ or .) are not data files.
    if (info.key.split('/').some((segment) => segment.startsWith('_') || segment.startsWith('.'))) continue;
    if (live.has(info.key)) continue;
    const since = tombstones.get(info.key) ?? info.modified;
    if (since >= cutoff) continue;
    if (!dryRun) await store.delete(info.key);
    result.deleted.push(info.key);
    result.bytes += info.size;
  }
  return result;
}
