/**
 * Vacuum: delete data files the table no longer references once they are older than the retention
 * period, counted from their removal (tombstone) or, for files never committed (a writer crashed
 * before its commit), from their last modification. Files of the current version are never touched, and
 * time travel keeps working for versions younger than the retention. Change data files (`_change_data/`)
 * go the same way, counted from when they were written.
 *
 * `keepChangesAfter` protects what an incremental reader still has to read: the cdc files and the files
 * removed with dataChange = true of every commit after that version (change-data.ts reads them to learn
 * what left the table), whatever their age.
 */
import type { ObjectStore } from '../../storage/index.ts';
import { CHANGE_DATA_FOLDER } from '../files/change-data.ts';
import { readCommitActions, type Snapshot } from '../log/snapshot.ts';
import { uriPathToKey } from '../columns/values.ts';

export interface VacuumOptions {
  /** @default 168 (one week, as Delta's default) */
  retentionHours?: number;
  dryRun?: boolean;
  now?: () => number;
  /** The version every incremental reader of the table has read up to (see the module comment). */
  keepChangesAfter?: number;
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
  const unread = await stillToRead(store, snapshot, options.keepChangesAfter);
  const result: VacuumResult = { deleted: [], bytes: 0 };
  for (const info of await store.list('')) {
    // The log and hidden files (names starting with _ or .) are not data files; change data files are.
    const segments = info.key.split('/');
    const hidden = segments.some((segment, i) => (segment.startsWith('_') && !(i === 0 && segment === CHANGE_DATA_FOLDER)) || segment.startsWith('.'));
    if (hidden || live.has(info.key) || unread.has(info.key)) continue;
    const since = tombstones.get(info.key) ?? info.modified;
    if (since >= cutoff) continue;
    if (!dryRun) await store.delete(info.key);
    result.deleted.push(info.key);
    result.bytes += info.size;
  }
  return result;
}

/** Keys of the cdc files and data-changing removes of the commits after `version` (none when undefined). */
async function stillToRead(store: ObjectStore, snapshot: Snapshot, version: number | undefined): Promise<Set<string>> {
  const keys = new Set<string>();
  if (version === undefined) return keys;
  for (let v = Math.max(version, -1) + 1; v <= snapshot.version; v++) {
    for (const action of await readCommitActions(store, v)) {
      if ('cdc' in action) keys.add(uriPathToKey(action.cdc.path));
      else if ('remove' in action && action.remove.dataChange) keys.add(uriPathToKey(action.remove.path));
    }
  }
  return keys;
}
