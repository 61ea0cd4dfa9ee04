/**
 * The actions of a Delta Lake commit (protocol reader 1 / writer 4), as they appear in
 * `_delta_log/<version>.json`: one JSON object per line, each with a single key naming the action.
 * See the Delta transaction log protocol; field names follow it exactly so that Spark, Databricks and
 * delta-rs read what fitlake writes.
 */

export interface ProtocolAction {
  minReaderVersion: number;
  minWriterVersion: number;
}

export interface MetadataAction {
  id: string;
  name?: string | null;
  description?: string | null;
  format: { provider: 'parquet'; options: Record<string, string> };
  /** JSON of the table's struct type (see delta-schema.ts). */
  schemaString: string;
  partitionColumns: string[];
  configuration: Record<string, string>;
  createdTime?: number | null;
}

export interface AddAction {
  /** URI-encoded path relative to the table root. */
  path: string;
  /** Partition column → value serialized as the protocol says (null for null). */
  partitionValues: Record<string, string | null>;
  size: number;
  modificationTime: number;
  dataChange: boolean;
  /** JSON of numRecords, minValues, maxValues, nullCount. */
  stats?: string | null;
  tags?: Record<string, string> | null;
}

export interface RemoveAction {
  path: string;
  deletionTimestamp?: number | null;
  dataChange: boolean;
  extendedFileMetadata?: boolean;
  partitionValues?: Record<string, string | null>;
  size?: number;
}

/**
 * A change data file (the change data feed, writer version 4): rows a commit updated or deleted, with
 * the table's columns and `_change_type` (insert, update_preimage, update_postimage, delete). A commit
 * with cdc files lists all its changes there; one without lists them as its adds and removes.
 */
export interface CdcAction {
  /** URI-encoded path relative to the table root, under `_change_data/`. */
  path: string;
  partitionValues: Record<string, string | null>;
  size: number;
  /** Always false: change files add no rows to the table. */
  dataChange: false;
  tags?: Record<string, string> | null;
}

/** An application's progress marker: the exactly-once mechanism of fitlake's step checkpoints. */
export interface TxnAction {
  appId: string;
  version: number;
  lastUpdated?: number | null;
}

export interface CommitInfoAction {
  timestamp?: number;
  operation?: string;
  operationParameters?: Record<string, unknown>;
  readVersion?: number;
  isBlindAppend?: boolean;
  engineInfo?: string;
  operationMetrics?: Record<string, string | number>;
  [other: string]: unknown;
}

export type Action =
  | { protocol: ProtocolAction }
  | { metaData: MetadataAction }
  | { add: AddAction }
  | { remove: RemoveAction }
  | { txn: TxnAction }
  | { cdc: CdcAction }
  | { commitInfo: CommitInfoAction };

/** Serialize actions as the newline-delimited JSON of one commit file. */
export function encodeCommit(actions: readonly Action[]): Uint8Array {
  return new TextEncoder().encode(actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
}

/**
 * Parse a commit file. Unknown action kinds (domainMetadata, …, written by other engines) are
 * skipped: reader version 1 tables may carry actions this reader does not need.
 */
export function decodeCommit(bytes: Uint8Array): Action[] {
  const actions: Action[] = [];
  for (const line of new TextDecoder().decode(bytes).split('\n')) {
    if (line.trim() === '') continue;
    const parsed = JSON.parse(line) as Record<string, unknown>;
    if ('protocol' in parsed || 'metaData' in parsed || 'add' in parsed || 'remove' in parsed || 'txn' in parsed || 'cdc' in parsed || 'commitInfo' in parsed) {
      actions.push(parsed as Action);
    }
  }
  return actions;
}
