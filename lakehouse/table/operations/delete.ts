/**
 * Deleting rows, copy-on-write: only files whose statistics admit `where` are read; a file holding a
 * row that `matches` is removed and its other rows, if any, written to a new file, all in one commit.
 * With nothing to delete there is no commit.
 */
import type { ObjectStore } from '../../storage/index.ts';
import type { Action } from '../log/actions.ts';
import { takeRows, type ColumnBatch } from '../columns/column-batch.ts';
import { fileMayMatch, type Predicate } from '../files/predicate.ts';
import { pruneFiles, readDataFile } from '../files/scan.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { commit, type CommitResult } from '../log/transaction.ts';
import { writeDataFiles } from '../files/write-files.ts';
import { writeChangeFiles, type ChangeRows } from '../files/change-data.ts';
import { removeOf } from './merge.ts';

export interface DeleteSpec {
  /** Prunes the files to look into: a file whose statistics rule these out holds no row to delete. */
  where: readonly Predicate[];
  /** Whether row `row` of a file's rows is to be deleted (only rows of files admitted by `where` are asked). */
  matches(batch: ColumnBatch, row: number): boolean;
  now?: () => number;
  operationParameters?: Record<string, unknown>;
}

export interface DeleteResult extends CommitResult {
  deleted: number;
  filesRemoved: number;
  filesAdded: number;
}

/** Delete the rows `spec` selects; see the module comment. */
export async function deleteRows(store: ObjectStore, snapshot: Snapshot, spec: DeleteSpec): Promise<DeleteResult> {
  const table = snapshot.metadata.name ?? store.url;
  const now = (spec.now ?? Date.now)();
  const candidates = pruneFiles(snapshot, spec.where);
  const actions: Action[] = [];
  let deleted = 0;
  let filesAdded = 0;
  const changes: ChangeRows[] = [];
  for (const add of candidates) {
    const batch = await readDataFile(store, snapshot, add, snapshot.columns);
    const kept: number[] = [];
    const gone: number[] = [];
    for (let i = 0; i < batch.numRows; i++) (spec.matches(batch, i) ? gone : kept).push(i);
    if (gone.length === 0) continue;
    changes.push({ type: 'delete', rows: takeRows(batch, gone) });
    deleted += batch.numRows - kept.length;
    actions.push({ remove: removeOf(add, now) });
    if (kept.length > 0) {
      const adds = await writeDataFiles(store, table, snapshot.columns, snapshot.partitionColumns, takeRows(batch, kept), spec.now ? { now: spec.now } : {});
      actions.push(...adds.map((a) => ({ add: a })));
      filesAdded += adds.length;
    }
  }
  const filesRemoved = actions.length - filesAdded;
  for (const cdc of await writeChangeFiles(store, snapshot, changes, spec.now ? { now: spec.now } : {})) actions.push({ cdc });
  if (deleted === 0) return { version: snapshot.version, committed: false, snapshot, attempts: 0, deleted, filesRemoved, filesAdded };
  const committed = await commit(store, {
    readSnapshot: snapshot,
    actions,
    operation: 'DELETE',
    operationParameters: spec.operationParameters ?? {},
    operationMetrics: { numDeletedRows: deleted, numRemovedFiles: filesRemoved, numAddedFiles: filesAdded },
    // A file added meanwhile that may hold a row to delete is a conflict: the delete would miss it.
    readSet: { readFiles: new Set(candidates.map((c) => c.path)), readsAdded: (a) => fileMayMatch(a, snapshot.columns, snapshot.partitionColumns, spec.where) },
    ...(spec.now ? { now: spec.now } : {}),
  });
  return { ...committed, deleted, filesRemoved, filesAdded };
}
