/**
 * The Delta table properties (metaData.configuration) that steer how the log is kept, read with the
 * defaults Spark and delta-rs use: a value that cannot be parsed counts as absent, never as an error, as
 * a property another engine set in a syntax fitlake does not know must not make the table unreadable.
 */
import type { MetadataAction } from './actions.ts';

/** A checkpoint every this many commits. */
export const CHECKPOINT_INTERVAL = 'delta.checkpointInterval';
export const DEFAULT_CHECKPOINT_INTERVAL = 100;
/** How long a tombstone stays in checkpoints (Delta's interval syntax). */
export const DELETED_FILE_RETENTION = 'delta.deletedFileRetentionDuration';
const DEFAULT_DELETED_FILE_RETENTION_MS = 7 * 86_400_000;
/** How long JSON commits and checkpoints stay in the log once a newer checkpoint stands for them. */
export const LOG_RETENTION = 'delta.logRetentionDuration';
const DEFAULT_LOG_RETENTION_MS = 30 * 86_400_000;
/** `false` keeps every commit and checkpoint forever. */
export const EXPIRED_LOG_CLEANUP = 'delta.enableExpiredLogCleanup';
/** How long an application's txn (SetTransaction) counts once nothing has renewed it; unset: forever. */
export const SET_TRANSACTION_RETENTION = 'delta.setTransactionRetentionDuration';
/**
 * fitlake's own property: comma-separated appId prefixes of txns that must never expire (a step's
 * progress, such as Kafka offsets, beside expiring per-file markers). fitlake's committer renews them
 * (see transaction.ts); other engines keep unknown properties and ignore them.
 */
export const KEEP_ALIVE_TXNS = 'fitlake.keepAliveTxnPrefixes';

const UNIT_MS: Record<string, number> = {
  nanosecond: 1e-6,
  microsecond: 1e-3,
  millisecond: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
};

/** Milliseconds of an interval property ("interval 1 week", "30 days"), or `fallback` when absent or unreadable. */
function intervalMs(metadata: MetadataAction, property: string, fallback: number): number {
  const text = metadata.configuration[property];
  const match = text === undefined ? null : /^\s*(?:interval\s+)?(\d+)\s+([a-z]+?)s?\s*$/i.exec(text);
  const unit = match ? UNIT_MS[match[2]!.toLowerCase()] : undefined;
  return match && unit !== undefined ? Number(match[1]) * unit : fallback;
}

/** The checkpoint interval of a table: its property when it is a positive integer, else 100. */
export function checkpointInterval(metadata: MetadataAction): number {
  const value = Number(metadata.configuration[CHECKPOINT_INTERVAL]);
  return Number.isSafeInteger(value) && value > 0 ? value : DEFAULT_CHECKPOINT_INTERVAL;
}

/** How long tombstones stay in checkpoints: `delta.deletedFileRetentionDuration`, a week by default. */
export function deletedFileRetentionMs(metadata: MetadataAction): number {
  return intervalMs(metadata, DELETED_FILE_RETENTION, DEFAULT_DELETED_FILE_RETENTION_MS);
}

/** How long the log keeps commits behind a checkpoint: `delta.logRetentionDuration`, 30 days by default. */
export function logRetentionMs(metadata: MetadataAction): number {
  return intervalMs(metadata, LOG_RETENTION, DEFAULT_LOG_RETENTION_MS);
}

/** Whether expired log files may be removed: `delta.enableExpiredLogCleanup`, true unless it says false. */
export function expiredLogCleanupEnabled(metadata: MetadataAction): boolean {
  return metadata.configuration[EXPIRED_LOG_CLEANUP]?.trim().toLowerCase() !== 'false';
}

/** `delta.setTransactionRetentionDuration` in ms, or undefined when unset or unreadable: txns then never expire. */
export function setTransactionRetentionMs(metadata: MetadataAction): number | undefined {
  const ms = intervalMs(metadata, SET_TRANSACTION_RETENTION, Number.NaN);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The txns of a version that have expired: lastUpdated at or before its commit time minus the retention
 * (the log's clock, so every reader of a version agrees, as for tombstones). A txn without lastUpdated
 * never expires; without the property nothing does.
 */
export function txnExpiryCutoff(metadata: MetadataAction | undefined, commitTime: number | undefined): number {
  const retention = metadata ? setTransactionRetentionMs(metadata) : undefined;
  return retention !== undefined && commitTime !== undefined && commitTime > 0 ? commitTime - retention : -Infinity;
}

/** The appId prefixes whose txns fitlake's committer keeps from expiring (KEEP_ALIVE_TXNS). */
export function keepAliveTxnPrefixes(metadata: MetadataAction): readonly string[] {
  return (metadata.configuration[KEEP_ALIVE_TXNS] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}
