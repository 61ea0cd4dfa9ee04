/**
 * The state of a table at one version, rebuilt by replaying its log: protocol, metadata, the live data
 * files and each application's txn version. Reading at an earlier version (time travel) replays only up
 * to it. Log replay is pure: `applyCommit` folds one commit's actions into a state.
 */
import type { ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { NotFoundError } from '../../errors.ts';
import { decodeCommit, type Action, type AddAction, type CommitInfoAction, type MetadataAction, type ProtocolAction } from './actions.ts';
import { fromSchemaString } from './delta-schema.ts';
import { TableFormatError, TableNotFoundError } from './errors.ts';
import { commitKey, LOG_DIR, versionOfCommitKey } from './log-paths.ts';

/** The highest protocol versions this implementation reads and writes. */
export const READER_VERSION = 1;
export const WRITER_VERSION = 4;

/** The table property that turns on the change data feed (cdc files for updates and deletes). */
export const CHANGE_DATA_FEED = 'delta.enableChangeDataFeed';

/** True when commits to the table must record their updates and deletes in cdc files. */
export function changeDataFeedEnabled(snapshot: Snapshot): boolean {
  return snapshot.metadata.configuration[CHANGE_DATA_FEED]?.toLowerCase() === 'true';
}

export interface Snapshot {
  /** Where the table is, for messages. */
  readonly location: string;
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly columns: readonly ColumnDef[];
  readonly partitionColumns: readonly string[];
  /** Live data files by add.path. */
  readonly files: ReadonlyMap<string, AddAction>;
  /** The version that added each live file: what incremental readers compare their checkpoint with. */
  readonly fileVersions: ReadonlyMap<string, number>;
  /** appId → the last committed txn version. */
  readonly txns: ReadonlyMap<string, number>;
  /** Removed files (tombstones) → deletion time in ms, for vacuum's retention. */
  readonly tombstones: ReadonlyMap<string, number>;
  /** Commit time of this version, milliseconds since the epoch. */
  readonly timestamp: number;
}

interface MutableState {
  version: number;
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  files: Map<string, AddAction>;
  fileVersions: Map<string, number>;
  txns: Map<string, number>;
  tombstones: Map<string, number>;
  timestamp: number;
}

/**
 * The version a file added without changing data (compaction, dataChange = false) counts as added at:
 * the newest version among the files the same commit removed without changing data, whose rows it
 * holds. So its rows keep the version that first added them, and an incremental reader whose checkpoint
 * is past them never reads them again as new. (Without such removes, the commit's own version.)
 */
function rearrangedVersion(state: MutableState, version: number, actions: readonly Action[]): number {
  let newest = -1;
  for (const action of actions) {
    if ('remove' in action && action.remove.dataChange === false) newest = Math.max(newest, state.fileVersions.get(action.remove.path) ?? -1);
  }
  return newest >= 0 ? newest : version;
}

/** Fold one commit into the state (log replay order: later actions win). */
function applyCommit(state: MutableState, version: number, actions: readonly Action[], fileTime: number): void {
  state.version = version;
  state.timestamp = fileTime;
  const rearranged = actions.some((a) => 'add' in a && a.add.dataChange === false) ? rearrangedVersion(state, version, actions) : version;
  for (const action of actions) {
    if ('add' in action) {
      state.files.set(action.add.path, action.add);
      state.fileVersions.set(action.add.path, action.add.dataChange === false ? rearranged : version);
      state.tombstones.delete(action.add.path);
    } else if ('remove' in action) {
      state.files.delete(action.remove.path);
      state.fileVersions.delete(action.remove.path);
      state.tombstones.set(action.remove.path, action.remove.deletionTimestamp ?? fileTime);
    }
    else if ('txn' in action) state.txns.set(action.txn.appId, action.txn.version);
    else if ('metaData' in action) state.metadata = action.metaData;
    else if ('protocol' in action) state.protocol = action.protocol;
    else if ('commitInfo' in action && typeof action.commitInfo.timestamp === 'number') state.timestamp = action.commitInfo.timestamp;
  }
}

/** Versions of the commit files present, ascending. */
export async function listCommitVersions(store: ObjectStore): Promise<number[]> {
  const versions: number[] = [];
  for (const info of await store.list(`${LOG_DIR}/`)) {
    const v = versionOfCommitKey(info.key);
    if (v !== undefined) versions.push(v);
  }
  return versions.sort((a, b) => a - b);
}

async function readCommit(store: ObjectStore, version: number): Promise<Action[]> {
  return decodeCommit(await store.get(commitKey(version)));
}

function freeze(location: string, state: MutableState): Snapshot {
  if (!state.protocol || !state.metadata) throw new TableFormatError(location, `version ${state.version} has no protocol or metaData action`);
  if (state.protocol.minReaderVersion > READER_VERSION) {
    throw new TableFormatError(location, `needs Delta reader version ${state.protocol.minReaderVersion}; fitlake reads version ${READER_VERSION}`);
  }
  const { columns, unsupported } = fromSchemaString(state.metadata.schemaString);
  if (unsupported.length > 0) throw new TableFormatError(location, `column types fitlake does not handle: ${unsupported.join('; ')}`);
  return {
    location,
    version: state.version,
    protocol: state.protocol,
    metadata: state.metadata,
    columns,
    partitionColumns: state.metadata.partitionColumns,
    files: state.files,
    fileVersions: state.fileVersions,
    txns: state.txns,
    tombstones: state.tombstones,
    timestamp: state.timestamp,
  };
}

/**
 * The table's snapshot at `version` (default: the latest). Throws TableNotFoundError when the location
 * holds no Delta log or not that version.
 */
export async function loadSnapshot(store: ObjectStore, version?: number): Promise<Snapshot> {
  const versions = await listCommitVersions(store);
  if (versions.length === 0) throw new TableNotFoundError(store.url, 'no Delta table here (no _delta_log/ commits)');
  const latest = versions[versions.length - 1]!;
  const target = version ?? latest;
  if (target > latest || target < 0) throw new TableNotFoundError(store.url, `version ${target} does not exist (latest is ${latest})`);
  if (versions[0] !== 0) {
    // Older JSON commits were cleaned up behind a Parquet checkpoint; fitlake does not read those yet.
    throw new TableFormatError(store.url, `the log starts at version ${versions[0]} (older commits replaced by a checkpoint, which fitlake cannot read yet)`);
  }
  const state: MutableState = { version: -1, files: new Map(), fileVersions: new Map(), txns: new Map(), tombstones: new Map(), timestamp: 0 };
  await replay(store, state, 0, target);
  return freeze(store.url, state);
}

/** Replay commits from..to (inclusive) onto the state, reading a few files at a time. */
async function replay(store: ObjectStore, state: MutableState, from: number, to: number): Promise<void> {
  const window = 16;
  for (let start = from; start <= to; start += window) {
    const end = Math.min(to, start + window - 1);
    const batch = await Promise.all(
      Array.from({ length: end - start + 1 }, async (_, i) => {
        const v = start + i;
        try {
          return { v, actions: await readCommit(store, v) };
        } catch (e) {
          if (e instanceof NotFoundError) throw new TableFormatError(store.url, `commit ${v} is missing from the log`, { cause: e });
          throw e;
        }
      }),
    );
    for (const { v, actions } of batch) applyCommit(state, v, actions, state.timestamp);
  }
}

/**
 * The snapshot advanced to the newest version, or to `upTo` at most (returned as is when nothing is
 * newer). Probes the next commit file directly instead of listing the log, so a refresh costs one
 * request when idle.
 */
export async function refreshSnapshot(store: ObjectStore, snapshot: Snapshot, upTo = Infinity): Promise<Snapshot> {
  const state: MutableState = {
    version: snapshot.version,
    protocol: snapshot.protocol,
    metadata: snapshot.metadata,
    files: new Map(snapshot.files),
    fileVersions: new Map(snapshot.fileVersions),
    txns: new Map(snapshot.txns),
    tombstones: new Map(snapshot.tombstones),
    timestamp: snapshot.timestamp,
  };
  let advanced = false;
  while (state.version < upTo) {
    let actions: Action[];
    try {
      actions = await readCommit(store, state.version + 1);
    } catch (e) {
      if (e instanceof NotFoundError) break;
      throw e;
    }
    applyCommit(state, state.version + 1, actions, state.timestamp);
    advanced = true;
  }
  return advanced ? freeze(store.url, state) : snapshot;
}

/** The actions of one commit (for conflict checks and history). */
export function readCommitActions(store: ObjectStore, version: number): Promise<Action[]> {
  return readCommit(store, version);
}

export interface HistoryEntry {
  version: number;
  timestamp: number | undefined;
  operation: string | undefined;
  operationParameters: Record<string, unknown> | undefined;
  operationMetrics: Record<string, string | number> | undefined;
  readVersion: number | undefined;
  /** True when the commit added or removed data (false for compaction, checkpoints-only commits). */
  dataChange: boolean;
}

/** The commit history, newest first, up to `limit` entries. */
export async function tableHistory(store: ObjectStore, limit = Infinity): Promise<HistoryEntry[]> {
  const versions = (await listCommitVersions(store)).reverse().slice(0, limit);
  return Promise.all(
    versions.map(async (version) => {
      const actions = await readCommit(store, version);
      const info: CommitInfoAction | undefined = actions.find((a): a is { commitInfo: CommitInfoAction } => 'commitInfo' in a)?.commitInfo;
      const dataChange = actions.some((a) => ('add' in a && a.add.dataChange) || ('remove' in a && a.remove.dataChange));
      return {
        version,
        timestamp: info?.timestamp,
        operation: info?.operation,
        operationParameters: info?.operationParameters,
        operationMetrics: info?.operationMetrics,
        readVersion: info?.readVersion,
        dataChange,
      };
    }),
  );
}
