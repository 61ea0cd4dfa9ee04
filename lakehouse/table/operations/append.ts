/** Appending rows: new data files and one commit; a blind append never conflicts with other writers. */
import type { ObjectStore } from '../../storage/index.ts';
import type { ColumnBatch } from '../columns/column-batch.ts';
import { commit, txnAlreadyApplied, type CommitResult, type Txn } from '../log/transaction.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { writeDataFiles, type WriteFilesOptions } from '../files/write-files.ts';

export interface AppendOptions extends WriteFilesOptions {
  txn?: Txn | readonly Txn[];
  operationParameters?: Record<string, unknown>;
}

/** Append the batch (may be empty: then only the txn, if any, is committed). */
export async function append(store: ObjectStore, snapshot: Snapshot, batch: ColumnBatch, options: AppendOptions = {}): Promise<CommitResult> {
  // Checked before writing files: a replayed step must not even leave orphans behind.
  if (txnAlreadyApplied(snapshot, options.txn)) return { version: snapshot.version, committed: false, snapshot, attempts: 0 };
  if (batch.numRows === 0 && !options.txn) return { version: snapshot.version, committed: false, snapshot, attempts: 0 };
  const adds = await writeDataFiles(store, snapshot.metadata.name ?? store.url, snapshot.columns, snapshot.partitionColumns, batch, options);
  return commit(store, {
    readSnapshot: snapshot,
    actions: adds.map((add) => ({ add })),
    operation: 'WRITE',
    operationParameters: { mode: 'Append', ...options.operationParameters },
    operationMetrics: { numFiles: adds.length, numOutputRows: batch.numRows },
    readSet: { readsAdded: false },
    ...(options.txn ? { txn: options.txn } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}
