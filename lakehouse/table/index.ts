export { DeltaTable } from './delta-table.ts';
export type { ColumnBatch } from './column-batch.ts';
export { batchFromRows, rowsFromBatch, concatBatches, takeRows, selectColumns, sliceRows } from './column-batch.ts';
export type { Predicate } from './predicate.ts';
export type { Snapshot, HistoryEntry } from './snapshot.ts';
export type { CommitResult } from './transaction.ts';
export type { MergeSpec, MergeResult, Row } from './operations/merge.ts';
export { keyReader } from './operations/merge.ts';
export { CommitConflictError, MaxCommitAttemptsError, SchemaMismatchError, TableFormatError, TableNotFoundError } from './errors.ts';
