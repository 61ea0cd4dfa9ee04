/**
 * Expired log cleanup (Delta's metadata cleanup, as Spark does it after a checkpoint): the JSON commits,
 * checkpoints and checksum files older than `delta.logRetentionDuration` (30 days by default) go, but
 * only behind a checkpoint, never in front of one, so every version from that checkpoint on stays
 * readable and time travel to every version younger than the retention keeps working.
 *
 * The boundary is the newest complete checkpoint that is itself older than the retention (its file's
 * time): everything of a lower version that is older than the retention goes; the boundary and
 * everything after it stay. Files go oldest first, so a cleanup cut off half-way leaves a log without
 * holes, only with a later first commit.
 *
 * `keepCommitsAfter` protects what incremental readers still have to read: the commits after that
 * version (change-data.ts reads them to learn which rows left the table), whatever their age; the
 * boundary is then never past keepCommitsAfter + 1. Off when the table says
 * `delta.enableExpiredLogCleanup = false`.
 */
import type { ObjectInfo, ObjectStore } from '../../storage/index.ts';
import { checkpointOfKey, LOG_DIR, versionOfCommitKey } from './log-paths.ts';
import type { Snapshot } from './snapshot.ts';
import { expiredLogCleanupEnabled, logRetentionMs } from './table-properties.ts';

export interface LogCleanupOptions {
  now?: () => number;
  /** The version every incremental reader of the table has read up to (see the module comment). */
  keepCommitsAfter?: number;
  dryRun?: boolean;
}

export interface LogCleanupResult {
  /** Keys of the log files deleted (or, dry, to be deleted), oldest first. */
  deleted: string[];
  /** The checkpoint version the log now starts from, when a cleanup was possible. */
  boundary: number | undefined;
}

/** `_delta_log/<version>.crc`: the checksum file some engines write beside a commit. */
function versionOfChecksumKey(key: string): number | undefined {
  const match = /(?:^|\/)_delta_log\/(\d{20})\.crc$/.exec(key);
  return match ? Number(match[1]) : undefined;
}

/** The version a log file belongs to, for the kinds cleanup removes (commits, checkpoints, checksums). */
function versionOfLogFile(key: string): number | undefined {
  return versionOfCommitKey(key) ?? checkpointOfKey(key)?.version ?? versionOfChecksumKey(key);
}

/** Newest complete checkpoint at or below `maxVersion` whose files are all older than `cutoff`. */
function boundaryCheckpoint(files: readonly ObjectInfo[], maxVersion: number, cutoff: number): number | undefined {
  const groups = new Map<string, { version: number; parts: number; seen: number; newest: number }>();
  for (const info of files) {
    const name = checkpointOfKey(info.key);
    if (name === undefined || name.version > maxVersion) continue;
    const id = `${name.version}/${name.parts}`;
    const group = groups.get(id) ?? { version: name.version, parts: name.parts, seen: 0, newest: 0 };
    group.seen++;
    group.newest = Math.max(group.newest, info.modified);
    groups.set(id, group);
  }
  let boundary: number | undefined;
  for (const g of groups.values()) {
    if (g.seen === g.parts && g.newest < cutoff && (boundary === undefined || g.version > boundary)) boundary = g.version;
  }
  return boundary;
}

/** Remove the expired log files of the table (see the module comment). */
export async function cleanupExpiredLog(store: ObjectStore, snapshot: Snapshot, options: LogCleanupOptions = {}): Promise<LogCleanupResult> {
  if (!expiredLogCleanupEnabled(snapshot.metadata)) return { deleted: [], boundary: undefined };
  const { now = Date.now, dryRun = false, keepCommitsAfter } = options;
  const cutoff = now() - logRetentionMs(snapshot.metadata);
  const maxBoundary = keepCommitsAfter === undefined ? snapshot.version : Math.min(snapshot.version, Math.max(keepCommitsAfter, -1) + 1);
  const files = (await store.list(`${LOG_DIR}/`)).filter((info) => info.unreadable === undefined);
  const boundary = boundaryCheckpoint(files, maxBoundary, cutoff);
  if (boundary === undefined) return { deleted: [], boundary: undefined };
  const expired = files
    .map((info) => ({ info, version: versionOfLogFile(info.key) }))
    .filter((f): f is { info: ObjectInfo; version: number } => f.version !== undefined && f.version < boundary && f.info.modified < cutoff)
    .sort((a, b) => a.version - b.version);
  const deleted: string[] = [];
  for (const { info } of expired) {
    if (!dryRun) await store.delete(info.key);
    deleted.push(info.key);
  }
  return { deleted, boundary };
}
