/**
 * Committing to a Delta table with optimistic concurrency.
 *
 * An operation reads a snapshot, writes its data files, then tries to create the next commit file.
 * That single put-if-absent is the commit point: before it nothing is visible, after it everything is.
 * Losing the race means another writer took the version; we read what it committed, decide whether it
 * touched anything this operation depended on (then the operation must be redone: CommitConflictError),
 * and otherwise try again at the following version with the same actions.
 *
 * `txn` makes a commit exactly-once: when the table already holds a txn version for the same appId at or
 * past ours, the commit is a no-op. A step that crashed after committing and runs again therefore never
 * duplicates its output.
 *
 * After the commit point the committer writes a log checkpoint when one is due (checkpoint.ts), best
 * effort: a commit that is in the log has succeeded, whatever happens to its checkpoint.
 *
 * The read snapshot must be the one the operation planned from (its checkpoints included), never one
 * refreshed since: every commit after it is judged here, a txn of the same application among them, so a
 * second runner of a step that planned the same range either finds it committed (no-op) or conflicts
 * and plans again. A snapshot refreshed in between would hide the other runner's commit from the check.
 */
import type { ObjectStore } from '../../storage/index.ts';
import { encodeCommit, type Action, type AddAction, type CommitInfoAction } from './actions.ts';
import { CommitConflictError, MaxCommitAttemptsError, TableFormatError } from './errors.ts';
import { checkpointIfDue } from './checkpoint.ts';
import { commitKey } from './log-paths.ts';
import { readCommitActions, refreshSnapshot, withCheckpointVersion, WRITER_VERSION, type Snapshot } from './snapshot.ts';
import { keepAliveTxnPrefixes, setTransactionRetentionMs } from './table-properties.ts';
import { faultPoint } from '../../fault-points.ts';

export const ENGINE_INFO = 'fitlake/0.1.0';

/** What the operation read, so that a concurrent commit can be judged harmless or conflicting. */
export interface ReadSet {
  /**
   * Does a file added by someone else belong to what this operation read? `false` for blind appends
   * (nothing read), a predicate over the file for operations that read a part of the table.
   * @default everything (any concurrent add conflicts)
   */
  readsAdded?: false | ((add: AddAction) => boolean);
  /** Paths of the files whose content this operation read or rewrote; their removal by another writer conflicts. */
  readFiles?: ReadonlySet<string>;
}

export interface CommitRequest {
  /** The snapshot the operation's actions were computed from. */
  readSnapshot: Snapshot;
  /** add / remove / metaData / protocol actions of the operation. */
  actions: readonly Action[];
  operation: string;
  operationParameters?: Record<string, unknown>;
  operationMetrics?: Record<string, string | number>;
  /**
   * Exactly-once markers: application id (a step, or a step and one of its sources) and how far it has
   * read. Several may go in one commit (a step that reads several sources, or ingests several files).
   */
  txn?: Txn | readonly Txn[];
  readSet?: ReadSet;
  /** @default 20 */
  maxAttempts?: number;
  /** Commit timestamp source (tests pass a fixed clock). @default Date.now */
  now?: () => number;
}

export interface CommitResult {
  /** The version written, or the version the no-op saw. */
  version: number;
  /** False when the txn had already been committed (nothing written). */
  committed: boolean;
  /** The snapshot after the commit. */
  snapshot: Snapshot;
  attempts: number;
}

export interface Txn {
  appId: string;
  version: number;
}

function txnList(txn: Txn | readonly Txn[] | undefined): readonly Txn[] {
  return txn === undefined ? [] : 'appId' in txn ? [txn as Txn] : (txn as readonly Txn[]);
}

/** The txns of the list that the table already holds at that version or later. */
function appliedTxns(snapshot: Snapshot, txns: readonly Txn[]): Txn[] {
  return txns.filter((t) => {
    const have = snapshot.txns.get(t.appId);
    return have !== undefined && have >= t.version;
  });
}

/** True when the table already holds every given txn version (or a later one): committing again would duplicate. */
export function txnAlreadyApplied(snapshot: Snapshot, txn: Txn | readonly Txn[] | undefined): boolean {
  const txns = txnList(txn);
  return txns.length > 0 && appliedTxns(snapshot, txns).length === txns.length;
}

/** Commit the actions as the next version; see the module comment for the protocol. */
export async function commit(store: ObjectStore, request: CommitRequest): Promise<CommitResult> {
  const { readSnapshot, maxAttempts = 20, now = Date.now } = request;
  const txns = txnList(request.txn);
  if (txnAlreadyApplied(readSnapshot, txns)) return { version: readSnapshot.version, committed: false, snapshot: readSnapshot, attempts: 0 };
  assertWritable(store.url, readSnapshot, request.actions);
  const partly = appliedTxns(readSnapshot, txns);
  if (partly.length > 0) {
    throw new CommitConflictError(readSnapshot.location, readSnapshot.version, `part of this work is already committed (${partly.map((t) => t.appId).join(', ')})`);
  }

  const removes = new Set(request.actions.flatMap((a) => ('remove' in a ? [a.remove.path] : [])));
  const blind = request.readSet?.readsAdded === false && removes.size === 0;
  let snapshot = readSnapshot;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const version = snapshot.version + 1;
    const timestamp = now();
    const commitInfo: CommitInfoAction = {
      timestamp,
      operation: request.operation,
      operationParameters: request.operationParameters ?? {},
      readVersion: readSnapshot.version,
      isBlindAppend: blind,
      engineInfo: ENGINE_INFO,
      ...(request.operationMetrics ? { operationMetrics: request.operationMetrics } : {}),
    };
    const actions: Action[] = [{ commitInfo }, ...request.actions];
    for (const t of txns) actions.push({ txn: { appId: t.appId, version: t.version, lastUpdated: timestamp } });
    for (const t of renewals(snapshot, request.actions, txns, timestamp)) actions.push({ txn: { appId: t.appId, version: t.version, lastUpdated: timestamp } });

    // The commit point: exclusive creation of the next log file.
    faultPoint('commit.before', { location: store.url });
    if (await store.putIfAbsent(commitKey(version), encodeCommit(actions))) {
      // The snapshot of exactly this version: every commit before it was judged above. One made after it
      // was not, so an operation going on from here (the next chunk of a step) must not start past it.
      const committed = await refreshSnapshot(store, snapshot, version);
      // Every delta.checkpointInterval commits, a log checkpoint (best effort: never fails the commit).
      const checkpointVersion = await checkpointIfDue(store, committed, now);
      return { version, committed: true, snapshot: withCheckpointVersion(committed, checkpointVersion), attempts: attempt };
    }

    // Lost the race: judge every commit that got in first, then rebase onto the newest state.
    const latest = await refreshSnapshot(store, snapshot);
    // A concurrent run of the same application committed this progress already: nothing to do.
    if (txnAlreadyApplied(latest, txns)) return { version: latest.version, committed: false, snapshot: latest, attempts: attempt };
    for (let v = snapshot.version + 1; v <= latest.version; v++) {
      checkConflicts(store.url, v, await readCommitActions(store, v), request, removes);
    }
    snapshot = latest;
  }
  throw new MaxCommitAttemptsError(store.url, maxAttempts);
}

/**
 * The txns this commit renews: under `delta.setTransactionRetentionDuration` a txn nothing renews
 * expires, which is right for per-file markers but would make an application whose progress shares the
 * table (Kafka offsets of a partition gone quiet) start again from nothing. Txns under the table's
 * keep-alive prefixes (fitlake.keepAliveTxnPrefixes) are therefore written again, at the version they
 * hold, by whichever commit finds them past half the retention: every version then holds them younger
 * than the retention, however long the table sat idle, as expiry goes by commit times. Based on the
 * snapshot this attempt commits onto, so a renewal never moves an application back.
 */
function renewals(snapshot: Snapshot, actions: readonly Action[], own: readonly Txn[], timestamp: number): Txn[] {
  // The metadata this commit leaves: a commit that sets the retention renews what it would expire.
  const metadata = actions.reduce((m, a) => ('metaData' in a ? a.metaData : m), snapshot.metadata);
  const retention = setTransactionRetentionMs(metadata);
  const prefixes = keepAliveTxnPrefixes(metadata);
  if (retention === undefined || prefixes.length === 0) return [];
  const due = timestamp - retention / 2;
  const out: Txn[] = [];
  for (const [appId, version] of snapshot.txns) {
    const updated = snapshot.txnUpdated?.get(appId);
    if (updated === undefined || updated > due || !prefixes.some((p) => appId.startsWith(p)) || own.some((t) => t.appId === appId)) continue;
    out.push({ appId, version });
  }
  return out;
}

/**
 * Refuse commits the table's protocol forbids to this writer: a higher minWriterVersion asks for
 * features fitlake does not implement (column mapping, identity columns…), which a commit would silently
 * break, and so do two features of versions 3 and 4 it does not check (CHECK constraints, generated
 * columns); writer version 2's `delta.appendOnly` forbids removing data (rearranging it, dataChange =
 * false, stays allowed). The change data feed of version 4 fitlake writes (change-data.ts).
 */
function assertWritable(location: string, snapshot: Snapshot, actions: readonly Action[]): void {
  if (snapshot.protocol.minWriterVersion > WRITER_VERSION) {
    throw new TableFormatError(location, `needs Delta writer version ${snapshot.protocol.minWriterVersion}; fitlake writes version ${WRITER_VERSION}`);
  }
  const constraints = Object.keys(snapshot.metadata.configuration).filter((k) => k.startsWith('delta.constraints.'));
  if (constraints.length > 0) throw new TableFormatError(location, `the table has CHECK constraints (${constraints.join(', ')}), which fitlake does not enforce`);
  if (snapshot.metadata.schemaString.includes('delta.generationExpression')) throw new TableFormatError(location, 'the table has generated columns, which fitlake does not compute');
  if (snapshot.metadata.configuration['delta.appendOnly']?.toLowerCase() === 'true' && actions.some((a) => 'remove' in a && a.remove.dataChange)) {
    throw new TableFormatError(location, 'the table is append-only (delta.appendOnly = true): data cannot be removed or rewritten');
  }
}

/** Throw CommitConflictError when a winning commit invalidates what the request read or removes. */
function checkConflicts(location: string, version: number, winner: readonly Action[], request: CommitRequest, removes: ReadonlySet<string>): void {
  const readsAdded = request.readSet?.readsAdded;
  const readFiles = request.readSet?.readFiles;
  for (const action of winner) {
    if ('metaData' in action || 'protocol' in action) {
      throw new CommitConflictError(location, version, 'the table metadata or protocol changed');
    }
    if ('remove' in action) {
      const path = action.remove.path;
      if (removes.has(path)) throw new CommitConflictError(location, version, `file ${path} was removed concurrently (delete-delete)`);
      if (readFiles?.has(path)) throw new CommitConflictError(location, version, `file ${path} that this operation read was removed (delete-read)`);
    }
    if ('add' in action && action.add.dataChange && readsAdded !== false) {
      if (readsAdded === undefined || readsAdded(action.add)) {
        throw new CommitConflictError(location, version, `a concurrent commit added ${action.add.path} to data this operation read (concurrent append)`);
      }
    }
    // A txn at the version this operation read is a renewal (see renewals), not progress: harmless.
    if ('txn' in action && txnList(request.txn).some((t) => t.appId === action.txn.appId) && action.txn.version !== request.readSnapshot.txns.get(action.txn.appId)) {
      // Another instance of the same application advanced, but not to where this one would: the two
      // computed overlapping work from different starting points.
      throw new CommitConflictError(location, version, `application ${action.txn.appId} committed version ${action.txn.version} concurrently`);
    }
  }
}
