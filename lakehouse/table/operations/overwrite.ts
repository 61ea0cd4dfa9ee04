/** Replacing partitions: the files of the affected partitions are removed and the batch is added, in one commit. */
import type { ObjectStore } from '../../storage/index.ts';
import type { AddAction } from '../log/actions.ts';
import type { ColumnBatch } from '../columns/column-batch.ts';
import { SchemaMismatchError } from '../log/errors.ts';
import { fileMayMatch, type Predicate } from '../files/predicate.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { commit, txnAlreadyApplied, type CommitResult, type Txn } from '../log/transaction.ts';
import { toPartitionValue } from '../columns/values.ts';
import { conformBatch, writeDataFiles, type WriteFilesOptions } from '../files/write-files.ts';
import { removeOf } from './merge.ts';

export interface OverwriteOptions extends WriteFilesOptions {
  /**
   * Partitions to replace, as predicates on partition columns only (exact at file level). Without it,
   * the partitions present in the batch are replaced (dynamic partition overwrite); an unpartitioned
   * table is then replaced whole.
   */
  where?: readonly Predicate[];
  txn?: Txn | readonly Txn[];
}

/** Replace the selected partitions' content with the batch. */
export async function overwrite(store: ObjectStore, snapshot: Snapshot, batch: ColumnBatch, options: OverwriteOptions = {}): Promise<CommitResult> {
  if (txnAlreadyApplied(snapshot, options.txn)) return { version: snapshot.version, committed: false, snapshot, attempts: 0 };
  const table = snapshot.metadata.name ?? store.url;
  const conformed = conformBatch(table, snapshot.columns, batch);
  for (const p of options.where ?? []) {
    if (!snapshot.partitionColumns.includes(p.column)) throw new SchemaMismatchError(table, `overwrite condition on ${p.column}, which is not a partition column`);
  }
  let replaces: (add: AddAction) => boolean;
  if (options.where) {
    const where = options.where;
    replaces = (add) => fileMayMatch(add, snapshot.columns, snapshot.partitionColumns, where);
  } else {
    const present = new Set<string>();
    const defs = snapshot.partitionColumns.map((name) => snapshot.columns.find((c) => c.name === name)!);
    for (let i = 0; i < conformed.numRows; i++) {
      present.add(JSON.stringify(defs.map((d) => toPartitionValue(d.type, conformed.columns.get(d.name)![i]!))));
    }
    replaces = (add) => snapshot.partitionColumns.length === 0 || present.has(JSON.stringify(snapshot.partitionColumns.map((n) => add.partitionValues[n] ?? null)));
  }
  const removed = [...snapshot.files.values()].filter(replaces);
  const adds = await writeDataFiles(store, table, snapshot.columns, snapshot.partitionColumns, conformed, options);
  const now = (options.now ?? Date.now)();
  return commit(store, {
    readSnapshot: snapshot,
    actions: [...removed.map((r) => ({ remove: removeOf(r, now) })), ...adds.map((add) => ({ add }))],
    operation: 'WRITE',
    operationParameters: { mode: 'Overwrite', partitionOverwriteMode: options.where ? 'STATIC' : 'DYNAMIC' },
    operationMetrics: { numFiles: adds.length, numOutputRows: conformed.numRows, numRemovedFiles: removed.length },
    readSet: { readFiles: new Set(removed.map((r) => r.path)), readsAdded: replaces },
    ...(options.txn ? { txn: options.txn } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
