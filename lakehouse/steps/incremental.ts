/**
 * Incremental reading of an upstream table. A step's checkpoint for each upstream table is a txn in its
 * target table: appId `<step><-<layer>/<table>`, version = the upstream version read up to, committed in
 * the same commit as the output. The rows to look at are those of live upstream files added after that
 * version.
 *
 * One subtlety makes quarantine exactly-once too: quarantine rows are committed first, with the same
 * checkpoint id. If a run crashed between the two commits, the quarantine table is ahead of the target;
 * the retry must then redo exactly the interrupted range (not a larger one), so the quarantine commit
 * is recognised as done and the target catches up.
 */
import type { TableDef } from '../../schema/types.ts';
import type { AddAction, Snapshot, Txn } from '../table/log/index.ts';
import type { DeltaTable } from '../table/index.ts';
import { filesAddedSince } from '../table/files/index.ts';
import type { Lake } from './lake.ts';

/** What a step reads of upstream table T in one run; the row readers (rows.ts) type its rows by T. */
export interface UpstreamRange<T extends TableDef = TableDef> {
  def: T;
  table: DeltaTable;
  appId: string;
  /** Checkpoint: upstream version already consumed (undefined: nothing yet). */
  since: number | undefined;
  /** Upstream version this run reads up to. */
  until: number;
  /** Upstream snapshot at `until`. */
  snapshot: Snapshot;
  /** Live files of that snapshot added after `since`. */
  files: AddAction[];
  /** True when `until` is the newest upstream version (no catch-up pending). */
  latest: boolean;
}

export const checkpointId = (step: string, upstream: TableDef) => `${step}<-${upstream.layer}/${upstream.name}`;

/**
 * Plan what to read from one upstream table; see the module comment. Checkpoints are read from the given
 * snapshots of the target and of quarantine (the ones the step's commits will be judged against), never
 * from the shared table objects, which other activities refresh.
 */
export async function planUpstream<T extends TableDef>(lake: Lake, step: string, target: Snapshot, quarantine: Snapshot, def: T): Promise<UpstreamRange<T>> {
  const table = await lake.table(def);
  const latestSnapshot = table.snapshot;
  const appId = checkpointId(step, def);
  const since = target.txns.get(appId);
  const quarantined = quarantine.txns.get(`${appId}#quarantine`);
  let until = latestSnapshot.version;
  if (quarantined !== undefined && (since === undefined || quarantined > since) && quarantined < until) until = quarantined;
  const snapshot = until === latestSnapshot.version ? latestSnapshot : await table.snapshotAt(until);
  return { def, table, appId, since, until, snapshot, files: filesAddedSince(snapshot, since), latest: until === latestSnapshot.version };
}

/** True when none of the ranges has anything unread. */
export function nothingToRead(ranges: readonly UpstreamRange[]): boolean {
  return ranges.every((r) => r.since !== undefined && r.since >= r.until);
}

/**
 * The checkpoint txns to commit with the output of a run over these ranges. Only ranges that advance:
 * the txn of an unchanged upstream is already in the target at that version, and committing it again
 * would make the commit look partly applied (a conflict no retry resolves).
 */
export function checkpointTxns(ranges: readonly UpstreamRange[]): Txn[] {
  return ranges.filter((r) => r.since === undefined || r.until > r.since).map((r) => ({ appId: r.appId, version: r.until }));
}
