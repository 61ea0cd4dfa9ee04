/**
 * Compaction: small files of a partition are rewritten as fewer, larger ones. The rows do not change, so
 * the commit says dataChange = false and does not conflict with concurrent appends; it conflicts only if
 * another writer removed one of the files it rewrites. The new files count as added at the newest version
 * of the files they replace (snapshot.ts), and `maxFileVersion` keeps to files that every incremental
 * reader has read already (steps/maintenance.ts), so compaction never feeds a reader rows it had.
 *
 * Memory stays bounded whatever the table's size: a partition's small files are taken in the order they
 * were added, in bins of at most targetFileRows rows, and each bin is read, written and let go before the
 * next is read (one commit for all of them at the end). A bin of a single file is left as it is.
 */
import type { ObjectStore } from '../../storage/index.ts';
import type { AddAction } from '../log/actions.ts';
import { concatBatches } from '../columns/column-batch.ts';
import { statsOf } from '../files/file-stats.ts';
import { readDataFile } from '../files/scan.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { commit, type CommitResult } from '../log/transaction.ts';
import { writeDataFiles } from '../files/write-files.ts';
import { removeOf } from './merge.ts';

export interface CompactOptions {
  /** Rows per output file. @default 1_000_000 */
  targetFileRows?: number;
  /** Files with fewer rows than this are small. @default targetFileRows / 2 */
  smallFileRows?: number;
  /** Only files added at or before this version are compacted (those every reader has read). @default all */
  maxFileVersion?: number;
  now?: () => number;
}

export interface CompactResult {
  commit: CommitResult | undefined;
  filesRemoved: number;
  filesAdded: number;
}

/** Rewrite the small files of each partition that has at least two of them. */
export async function compact(store: ObjectStore, snapshot: Snapshot, options: CompactOptions = {}): Promise<CompactResult> {
  const { targetFileRows = 1_000_000, now = Date.now, maxFileVersion = Infinity } = options;
  const smallFileRows = options.smallFileRows ?? Math.floor(targetFileRows / 2);
  const byPartition = new Map<string, AddAction[]>();
  for (const add of snapshot.files.values()) {
    if (snapshot.fileVersions.get(add.path)! > maxFileVersion) continue;
    const rows = statsOf(add, snapshot.columns, snapshot.partitionColumns).numRecords;
    if (rows === undefined || rows >= smallFileRows) continue;
    const key = JSON.stringify(snapshot.partitionColumns.map((c) => add.partitionValues[c] ?? null));
    byPartition.set(key, [...(byPartition.get(key) ?? []), add]);
  }
  const table = snapshot.metadata.name ?? store.url;
  const removes: AddAction[] = [];
  const adds: AddAction[] = [];
  const names = snapshot.columns.map((c) => c.name);
  for (const files of byPartition.values()) {
    for (const bin of bins(files, snapshot, targetFileRows)) {
      const batches = [];
      for (const add of bin) batches.push(await readDataFile(store, snapshot, add, snapshot.columns));
      adds.push(...(await writeDataFiles(store, table, snapshot.columns, snapshot.partitionColumns, concatBatches(names, batches), { targetFileRows, dataChange: false, now })));
      removes.push(...bin);
    }
  }
  if (removes.length === 0) return { commit: undefined, filesRemoved: 0, filesAdded: 0 };
  const deletionTimestamp = now();
  const result = await commit(store, {
    readSnapshot: snapshot,
    actions: [...removes.map((r) => ({ remove: removeOf(r, deletionTimestamp, false) })), ...adds.map((add) => ({ add }))],
    operation: 'OPTIMIZE',
    operationParameters: { targetFileRows },
    operationMetrics: { numRemovedFiles: removes.length, numAddedFiles: adds.length },
    readSet: { readsAdded: false, readFiles: new Set(removes.map((r) => r.path)) },
    now,
  });
  return { commit: result, filesRemoved: removes.length, filesAdded: adds.length };
}

/**
 * The small files of one partition in bins to rewrite together: in the order they were added, each bin
 * closed before a file would take it past targetFileRows rows, so a bin becomes one file; bins of one
 * file are dropped (rewriting it gains nothing).
 */
function bins(files: readonly AddAction[], snapshot: Snapshot, targetFileRows: number): AddAction[][] {
  const ordered = [...files].sort((a, b) => snapshot.fileVersions.get(a.path)! - snapshot.fileVersions.get(b.path)!);
  const out: AddAction[][] = [];
  let bin: AddAction[] = [];
  let rows = 0;
  for (const add of ordered) {
    const fileRows = statsOf(add, snapshot.columns, snapshot.partitionColumns).numRecords ?? 0;
    if (bin.length > 0 && rows + fileRows > targetFileRows) {
      out.push(bin);
      bin = [];
      rows = 0;
    }
    bin.push(add);
    rows += fileRows;
  }
  out.push(bin);
  return out.filter((b) => b.length >= 2);
}
