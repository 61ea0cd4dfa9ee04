/**
 * The state of a table at one version: protocol, metadata, the live data files and each application's
 * txn version. Log replay is pure: `applyCommit` folds one commit's actions into a state.
 *
 * Loading starts from the newest checkpoint at or before the version asked for (checkpoint.ts): the one
 * `_last_checkpoint` names, found without listing the log, or else the newest one a listing shows; then
 * the JSON commits after it are replayed. A table without checkpoints replays from version 0, and so does
 * time travel to a version before every checkpoint while the early commits are there.
 *
 * Refreshing applies only the new commits, on maps shared with the snapshot refreshed (versioned-map.ts):
 * an idle refresh costs one request and no copy, k new commits cost what they change.
 */
import type { ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import { NotFoundError } from '../../errors.ts';
import { decodeCommit, type Action, type AddAction, type CommitInfoAction, type MetadataAction, type ProtocolAction } from './actions.ts';
import { checkpointUnusable, readCheckpoint, readLastCheckpoint, type CheckpointContent, type CheckpointTombstones } from './checkpoint.ts';
import { TombstoneView } from './tombstone-view.ts';
import { fromSchemaString } from './delta-schema.ts';
import { TableFormatError, TableNotFoundError } from './errors.ts';
import { checkpointKeys, checkpointOfKey, commitKey, LOG_DIR, versionOfCommitKey } from './log-paths.ts';
import { MapLineage, VersionedMap } from './versioned-map.ts';
import { deletedFileRetentionMs, txnExpiryCutoff } from './table-properties.ts';

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
  /**
   * The version that added each live file: what incremental readers compare their checkpoint with. A
   * file rearranged without a data change (compaction) keeps the newest version of the files it holds
   * the rows of. For a file read from another engine's checkpoint, the checkpoint's version (never
   * later than the truth: see checkpoint.ts).
   */
  readonly fileVersions: ReadonlyMap<string, number>;
  /** appId → the last committed txn version. */
  readonly txns: ReadonlyMap<string, number>;
  /** appId → its txn's lastUpdated (ms), when the txn had one: checkpoints carry it along. */
  readonly txnUpdated?: ReadonlyMap<string, number>;
  /** Removed files (tombstones) → deletion time in ms, for vacuum's retention. */
  readonly tombstones: ReadonlyMap<string, number>;
  /** Commit time of this version, milliseconds since the epoch. */
  readonly timestamp: number;
  /** The newest log checkpoint this snapshot knows of: the one it was read from, or one written since. */
  readonly checkpointVersion?: number;
}

/** A map as applyCommit writes it: a plain Map while loading, a lineage's head while refreshing. */
interface Writable<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): unknown;
  delete(key: string): unknown;
}

interface StateMaps<F extends Writable<AddAction> = Writable<AddAction>, N extends Writable<number> = Writable<number>> {
  files: F;
  fileVersions: N;
  txns: N;
  txnUpdated: N;
  tombstones: N;
}

type PlainMaps = StateMaps<Map<string, AddAction>, Map<string, number>>;

const emptyMaps = (): PlainMaps => ({ files: new Map(), fileVersions: new Map(), txns: new Map(), txnUpdated: new Map(), tombstones: new Map() });

interface Scalars {
  version: number;
  protocol?: ProtocolAction;
  metadata?: MetadataAction;
  timestamp: number;
}

/**
 * The version a file added without changing data (compaction, dataChange = false) counts as added at:
 * the newest version among the files the same commit removed without changing data, whose rows it
 * holds. So its rows keep the version that first added them, and an incremental reader whose checkpoint
 * is past them never reads them again as new. (Without such removes, the commit's own version.)
 */
function rearrangedVersion(maps: StateMaps, version: number, actions: readonly Action[]): number {
  let newest = -1;
  for (const action of actions) {
    if ('remove' in action && action.remove.dataChange === false) newest = Math.max(newest, maps.fileVersions.get(action.remove.path) ?? -1);
  }
  return newest >= 0 ? newest : version;
}

/** Fold one commit's file, txn and tombstone actions into the maps (log replay order: later actions win). */
function applyMaps(maps: StateMaps, version: number, actions: readonly Action[], fileTime: number): void {
  const rearranged = actions.some((a) => 'add' in a && a.add.dataChange === false) ? rearrangedVersion(maps, version, actions) : version;
  for (const action of actions) {
    if ('add' in action) {
      maps.files.set(action.add.path, action.add);
      maps.fileVersions.set(action.add.path, action.add.dataChange === false ? rearranged : version);
      maps.tombstones.delete(action.add.path);
    } else if ('remove' in action) {
      maps.files.delete(action.remove.path);
      maps.fileVersions.delete(action.remove.path);
      maps.tombstones.set(action.remove.path, action.remove.deletionTimestamp ?? fileTime);
    } else if ('txn' in action) {
      maps.txns.set(action.txn.appId, action.txn.version);
      if (typeof action.txn.lastUpdated === 'number') maps.txnUpdated.set(action.txn.appId, action.txn.lastUpdated);
      else maps.txnUpdated.delete(action.txn.appId);
    }
  }
}

/** Fold one commit's protocol, metadata and commit time into the scalars. */
function applyScalars(state: Scalars, version: number, actions: readonly Action[]): void {
  state.version = version;
  for (const action of actions) {
    if ('metaData' in action) state.metadata = action.metaData;
    else if ('protocol' in action) state.protocol = action.protocol;
    else if ('commitInfo' in action && typeof action.commitInfo.timestamp === 'number') state.timestamp = action.commitInfo.timestamp;
  }
}

/** Fold one commit into a state being loaded. */
function applyCommit(maps: PlainMaps, state: Scalars, version: number, actions: readonly Action[]): void {
  // A remove without deletionTimestamp counts from the previous commit's time (what the reader knows).
  applyMaps(maps, version, actions, state.timestamp);
  applyScalars(state, version, actions);
}

/**
 * The maps of snapshots refreshed from one another: four MapLineages written together (see
 * versioned-map.ts). `next` is the lineage that took over once this one held too many changes.
 */
class Lineage implements StateMaps<MapLineage<string, AddAction>, MapLineage<string, number>> {
  readonly files: MapLineage<string, AddAction>;
  readonly fileVersions: MapLineage<string, number>;
  readonly txns: MapLineage<string, number>;
  readonly txnUpdated: MapLineage<string, number>;
  readonly tombstones: MapLineage<string, number>;
  head: number;
  next: Lineage | undefined;

  /**
   * @param older the tombstones of the checkpoint the maps were loaded from, not decoded yet, and the
   *   load's cutoff for them (see TombstoneView): `maps.tombstones` then holds only later ones.
   */
  constructor(
    maps: PlainMaps,
    version: number,
    private readonly older?: { tombstones: CheckpointTombstones; cutoff: number },
  ) {
    this.files = new MapLineage(maps.files, version);
    this.fileVersions = new MapLineage(maps.fileVersions, version);
    this.txns = new MapLineage(maps.txns, version);
    this.txnUpdated = new MapLineage(maps.txnUpdated, version);
    this.tombstones = new MapLineage(maps.tombstones, version);
    this.head = version;
    lineages.set(this.files, this);
  }

  private get all() {
    return [this.files, this.fileVersions, this.txns, this.txnUpdated, this.tombstones] as const;
  }

  begin(version: number): void {
    for (const map of this.all) map.begin(version);
    this.head = version;
  }

  views(version: number) {
    const files = new VersionedMap(this.files, version);
    const recent = new VersionedMap(this.tombstones, version);
    return {
      files,
      fileVersions: new VersionedMap(this.fileVersions, version),
      txns: new VersionedMap(this.txns, version),
      txnUpdated: new VersionedMap(this.txnUpdated, version),
      tombstones: this.older ? new TombstoneView(this.older.tombstones, recent, files, this.older.cutoff) : recent,
    };
  }

  /** More changes than entries in the bases: the next snapshot is better off on a fresh copy. */
  get worthRebasing(): boolean {
    let changed = 0;
    let size = 0;
    for (const map of this.all) {
      changed += map.changed;
      size += map.baseSize;
    }
    size += this.older ? (this.older.tombstones.loaded ? this.older.tombstones.size : this.older.tombstones.estimate) : 0;
    return changed > 1024 + size;
  }

  /**
   * A new lineage whose bases are the state at the head, without the tombstones removed before
   * `tombstoneCutoff`; this one continues there (see versioned-map.ts).
   */
  rebase(cutoffs: ExpiryCutoffs): Lineage {
    const views = this.views(this.head);
    const tombstones = new Map([...views.tombstones].filter(([, at]) => at >= cutoffs.tombstones));
    const maps: PlainMaps = { files: new Map(views.files), fileVersions: new Map(views.fileVersions), txns: new Map(views.txns), txnUpdated: new Map(views.txnUpdated), tombstones };
    dropExpiredTxns(maps, cutoffs.txns);
    const next = new Lineage(maps, this.head);
    this.next = next;
    return next;
  }
}

const lineages = new WeakMap<MapLineage<string, AddAction>, Lineage>();

/** The lineage a snapshot's maps belong to (a new one, from a copy, for a snapshot made some other way). */
function lineageOf(snapshot: Snapshot): Lineage {
  const files = snapshot.files;
  if (files instanceof VersionedMap) {
    const lineage = lineages.get(files.lineage as MapLineage<string, AddAction>);
    if (lineage !== undefined && files.version === snapshot.version) return lineage;
  }
  const maps: PlainMaps = {
    files: new Map(snapshot.files),
    fileVersions: new Map(snapshot.fileVersions),
    txns: new Map(snapshot.txns),
    txnUpdated: new Map(snapshot.txnUpdated ?? []),
    tombstones: new Map(snapshot.tombstones),
  };
  return new Lineage(maps, snapshot.version);
}

function freeze(location: string, state: Scalars, maps: ReturnType<Lineage['views']>, extra: { previous?: Snapshot; checkpointVersion?: number | undefined } = {}): Snapshot {
  const { protocol, metadata } = state;
  if (!protocol || !metadata) throw new TableFormatError(location, `version ${state.version} has no protocol or metaData action`);
  if (protocol.minReaderVersion > READER_VERSION) {
    throw new TableFormatError(location, `needs Delta reader version ${protocol.minReaderVersion}; fitlake reads version ${READER_VERSION}`);
  }
  let columns: readonly ColumnDef[];
  if (extra.previous !== undefined && extra.previous.metadata === metadata) {
    columns = extra.previous.columns;
  } else {
    const parsed = fromSchemaString(metadata.schemaString);
    if (parsed.unsupported.length > 0) throw new TableFormatError(location, `column types fitlake does not handle: ${parsed.unsupported.join('; ')}`);
    columns = parsed.columns;
  }
  return {
    location,
    version: state.version,
    protocol,
    metadata,
    columns,
    partitionColumns: metadata.partitionColumns,
    ...maps,
    timestamp: state.timestamp,
    ...(extra.checkpointVersion !== undefined ? { checkpointVersion: extra.checkpointVersion } : {}),
  };
}

/** A snapshot of a state loaded from scratch: its plain maps become the base of a new lineage. */
function freezeLoaded(location: string, maps: PlainMaps, state: Scalars, checkpointVersion: number | undefined, olderTombstones: CheckpointTombstones | undefined): Snapshot {
  const cutoffs = expiryCutoffs(state);
  for (const [path, at] of maps.tombstones) if (at < cutoffs.tombstones) maps.tombstones.delete(path);
  dropExpiredTxns(maps, cutoffs.txns);
  const lineage = new Lineage(maps, state.version, olderTombstones ? { tombstones: olderTombstones, cutoff: cutoffs.tombstones } : undefined);
  return freeze(location, state, lineage.views(state.version), { checkpointVersion });
}

/**
 * Tombstones removed before this (ms) have expired: older than `delta.deletedFileRetentionDuration`
 * before the version's commit time (the log's clock, so every reader of a version agrees). They leave
 * the snapshot as they leave checkpoints, so a process that refreshes one table for months holds the
 * tombstones of the retention, not of its whole run. (Vacuum then goes by the file's own age, as
 * after a reload from a checkpoint.)
 */
function tombstoneCutoff(state: Scalars): number {
  return state.metadata && state.timestamp > 0 ? state.timestamp - deletedFileRetentionMs(state.metadata) : -Infinity;
}

/** What has expired at a version: tombstones removed before `tombstones`, txns last updated at or before `txns` (ms). */
interface ExpiryCutoffs {
  tombstones: number;
  txns: number;
}

function expiryCutoffs(state: Scalars): ExpiryCutoffs {
  return { tombstones: tombstoneCutoff(state), txns: txnExpiryCutoff(state.metadata, state.timestamp) };
}

/**
 * Txns past `delta.setTransactionRetentionDuration` leave the snapshot as they leave checkpoints: an
 * application that has not renewed its txn for that long starts afresh (its markers are then only
 * per-file records the landing step no longer needs; see steps/bronze/landing-files.ts). A snapshot
 * refreshed from another may hold expired txns until its maps are rebased: keeping a txn longer is
 * always safe, as it only says more is done.
 */
function dropExpiredTxns(maps: PlainMaps, cutoff: number): void {
  if (cutoff === -Infinity) return;
  for (const [appId, at] of maps.txnUpdated) {
    if (at <= cutoff) {
      maps.txns.delete(appId);
      maps.txnUpdated.delete(appId);
    }
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

/** The commit's actions, or undefined when there is no such commit file. */
async function readCommitIfPresent(store: ObjectStore, version: number): Promise<Action[] | undefined> {
  try {
    return await readCommit(store, version);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
}

interface Commit {
  version: number;
  actions: Action[];
}

/** Largest number of commit files read at once. */
const MAX_WINDOW = 32;

/**
 * The commits from `from` on, up to `upTo` at most, until the first that is not there: read a window
 * at a time, the first `window` wide, each next one twice as wide. Commits are created one after the
 * other, so a missing one ends the log (one created meanwhile is seen by the next read).
 */
async function readCommitsFrom(store: ObjectStore, from: number, upTo = Infinity, window = 1): Promise<Commit[]> {
  const out: Commit[] = [];
  let next = from;
  while (next <= upTo) {
    const end = Math.min(upTo, next + window - 1);
    const batch = await Promise.all(Array.from({ length: end - next + 1 }, (_, i) => readCommitIfPresent(store, next + i)));
    for (let i = 0; i < batch.length; i++) {
      const actions = batch[i];
      if (actions === undefined) return out;
      out.push({ version: next + i, actions });
    }
    next = end + 1;
    window = Math.min(window * 2, MAX_WINDOW);
  }
  return out;
}

/** Commits from..to (inclusive), each of which must be there (a listing showed them). */
async function readCommitRange(store: ObjectStore, from: number, to: number): Promise<Commit[]> {
  const commits = await readCommitsFrom(store, from, to, MAX_WINDOW);
  if (commits.length < to - from + 1) throw new TableFormatError(store.url, `commit ${from + commits.length} is missing from the log`);
  return commits;
}

function commitTime(actions: readonly Action[] | undefined): number | undefined {
  const info = actions?.find((a): a is { commitInfo: CommitInfoAction } => 'commitInfo' in a)?.commitInfo;
  return typeof info?.timestamp === 'number' ? info.timestamp : undefined;
}

/** The plain maps and scalars of a checkpoint's state (its maps, not copies). */
function stateOfCheckpoint(content: CheckpointContent, timestamp: number): { maps: PlainMaps; state: Scalars } {
  const txns = new Map<string, number>();
  const txnUpdated = new Map<string, number>();
  for (const txn of content.txns) {
    txns.set(txn.appId, txn.version);
    if (typeof txn.lastUpdated === 'number') txnUpdated.set(txn.appId, txn.lastUpdated);
  }
  // The checkpoint's tombstones stay undecoded beside the maps (Lineage.older); these get later ones.
  const maps: PlainMaps = { files: content.files, fileVersions: content.fileVersions, txns, txnUpdated, tombstones: new Map() };
  return { maps, state: { version: content.version, protocol: content.protocol, metadata: content.metadata, timestamp } };
}

/** The commit time of a checkpoint's version when its own commit does not say (removed, or without commitInfo). */
async function checkpointFileTime(store: ObjectStore, version: number): Promise<number> {
  return (await store.head(checkpointKeys(version)[0]!))?.modified ?? 0;
}

/**
 * The snapshot at `target` (default: the latest) from the checkpoint `_last_checkpoint` names, without
 * listing the log: the checkpoint, the commit of its version and the commits after it are read at once.
 * Undefined when that cannot answer: the checkpoint is missing or damaged, a commit up to `target` is
 * missing, or nothing after the checkpoint and not even its own commit is there (the hint may be stale
 * in a log another engine cleaned up); the listing then decides.
 */
async function loadFromHint(store: ObjectStore, hint: { version: number; parts?: number }, target: number | undefined): Promise<Snapshot | undefined> {
  const start = hint.version;
  const checkpoint = readCheckpoint(store, store.url, start, hint.parts).catch((e: unknown) => {
    if (checkpointUnusable(e)) return undefined;
    throw e;
  });
  const [content, own, commits] = await Promise.all([checkpoint, readCommitIfPresent(store, start), target === undefined ? readCommitsFrom(store, start + 1, Infinity, 4) : readCommitsFrom(store, start + 1, target, MAX_WINDOW)]);
  if (content === undefined) return undefined;
  if (target !== undefined && commits.length < target - start) return undefined;
  if (target === undefined && commits.length === 0 && own === undefined) return undefined;
  const { maps, state } = stateOfCheckpoint(content, commitTime(own) ?? (await checkpointFileTime(store, start)));
  for (const { version, actions } of commits) applyCommit(maps, state, version, actions);
  return freezeLoaded(store.url, maps, state, start, content.tombstones);
}

/** What a listing of `_delta_log/` shows. */
interface LogListing {
  commits: Set<number>;
  /** Complete checkpoints: version → part count. */
  checkpoints: Map<number, number>;
  latest: number;
  first: number;
}

async function listLog(store: ObjectStore): Promise<LogListing> {
  const commits = new Set<number>();
  const parts = new Map<string, number>();
  const checkpoints = new Map<number, number>();
  let latest = -1;
  let first = Infinity;
  for (const info of await store.list(`${LOG_DIR}/`)) {
    if (info.unreadable !== undefined) continue;
    const v = versionOfCommitKey(info.key);
    if (v !== undefined) {
      commits.add(v);
      latest = Math.max(latest, v);
      first = Math.min(first, v);
      continue;
    }
    const checkpoint = checkpointOfKey(info.key);
    if (checkpoint === undefined) continue;
    const group = `${checkpoint.version}/${checkpoint.parts}`;
    const seen = (parts.get(group) ?? 0) + 1;
    parts.set(group, seen);
    if (seen === checkpoint.parts && !checkpoints.has(checkpoint.version)) {
      checkpoints.set(checkpoint.version, checkpoint.parts);
      latest = Math.max(latest, checkpoint.version);
    }
  }
  return { commits, checkpoints, latest, first };
}

/** The first version in from..to without a commit file, or undefined when none is missing. */
function firstMissing(commits: ReadonlySet<number>, from: number, to: number): number | undefined {
  for (let v = from; v <= to; v++) if (!commits.has(v)) return v;
  return undefined;
}

/**
 * The snapshot at `target` (default: the latest) from a listing of the log: from the newest usable
 * checkpoint at or before it with every commit after it up to the target, else from version 0.
 */
async function loadByListing(store: ObjectStore, target: number | undefined): Promise<Snapshot> {
  const log = await listLog(store);
  if (log.latest < 0) throw new TableNotFoundError(store.url, 'no Delta table here (no _delta_log/ commits)');
  const t = target ?? log.latest;
  if (!Number.isSafeInteger(t) || t > log.latest || t < 0) throw new TableNotFoundError(store.url, `version ${t} does not exist (latest is ${log.latest})`);
  let failed: { version: number; error: unknown } | undefined;
  for (const cp of [...log.checkpoints.keys()].filter((v) => v <= t).sort((a, b) => b - a)) {
    if (firstMissing(log.commits, cp + 1, t) !== undefined) continue;
    let content: CheckpointContent;
    try {
      content = await readCheckpoint(store, store.url, cp, log.checkpoints.get(cp));
    } catch (e) {
      if (!checkpointUnusable(e)) throw e;
      failed ??= { version: cp, error: e };
      continue;
    }
    const own = log.commits.has(cp) ? await readCommit(store, cp) : undefined;
    const { maps, state } = stateOfCheckpoint(content, commitTime(own) ?? (await checkpointFileTime(store, cp)));
    for (const { version, actions } of await readCommitRange(store, cp + 1, t)) applyCommit(maps, state, version, actions);
    return freezeLoaded(store.url, maps, state, cp, content.tombstones);
  }
  const missing = firstMissing(log.commits, 0, t);
  if (missing === undefined) {
    const maps = emptyMaps();
    const state: Scalars = { version: -1, timestamp: 0 };
    for (const { version, actions } of await readCommitRange(store, 0, t)) applyCommit(maps, state, version, actions);
    return freezeLoaded(store.url, maps, state, undefined, undefined);
  }
  if (failed !== undefined) {
    const reason = failed.error instanceof Error ? failed.error.message : String(failed.error);
    throw new TableFormatError(store.url, `the checkpoint of version ${failed.version} cannot be read (${reason}) and the JSON commits before it are gone`, { cause: failed.error });
  }
  if (log.first === 0 || log.first > t) {
    if (log.first > t && [...log.checkpoints.keys()].some((v) => v > t)) {
      throw new TableNotFoundError(store.url, `version ${t} is no longer in the log (its commits start at version ${log.first}, and no checkpoint at or before ${t} is left)`);
    }
  }
  if (log.first === 0) throw new TableFormatError(store.url, `commit ${missing} is missing from the log`);
  throw new TableFormatError(store.url, `the log starts at version ${log.first} and no checkpoint covers the versions before it`);
}

/**
 * The table's snapshot at `version` (default: the latest); see the module comment. Throws
 * TableNotFoundError when the location holds no Delta log or not that version.
 */
export async function loadSnapshot(store: ObjectStore, version?: number): Promise<Snapshot> {
  const valid = version === undefined || (Number.isSafeInteger(version) && version >= 0);
  const hint = valid ? await readLastCheckpoint(store) : undefined;
  if (hint !== undefined && (version === undefined || hint.version <= version)) {
    const snapshot = await loadFromHint(store, hint, version);
    if (snapshot !== undefined) return snapshot;
  }
  return loadByListing(store, version);
}

/**
 * The snapshot advanced to the newest version, or to `upTo` at most (returned as is when nothing is
 * newer). Probes the next commit file directly instead of listing the log, so a refresh costs one
 * request when idle; the new commits are applied on the maps the snapshot shares with its lineage.
 */
export async function refreshSnapshot(store: ObjectStore, snapshot: Snapshot, upTo = Infinity): Promise<Snapshot> {
  if (snapshot.version >= upTo) return snapshot;
  const commits = await readCommitsFrom(store, snapshot.version + 1, upTo, 1);
  if (commits.length === 0) return snapshot;
  let lineage = lineageOf(snapshot);
  const state: Scalars = { version: snapshot.version, protocol: snapshot.protocol, metadata: snapshot.metadata, timestamp: snapshot.timestamp };
  for (const { version, actions } of commits) {
    // Continue on the lineage that took over, once this one is at its end.
    while (lineage.head < version && lineage.next !== undefined) lineage = lineage.next;
    // Another refresh of the same lineage may have applied this commit already: the same changes.
    if (lineage.head < version) {
      lineage.begin(version);
      applyMaps(lineage, version, actions, state.timestamp);
    }
    applyScalars(state, version, actions);
  }
  if (lineage.head === state.version && lineage.next === undefined && lineage.worthRebasing) lineage = lineage.rebase(expiryCutoffs(state));
  return freeze(store.url, state, lineage.views(state.version), { previous: snapshot, checkpointVersion: snapshot.checkpointVersion });
}

/** The snapshot with a newer checkpoint known (after writing one): the same state, shared. */
export function withCheckpointVersion(snapshot: Snapshot, checkpointVersion: number | undefined): Snapshot {
  if (checkpointVersion === undefined || checkpointVersion === snapshot.checkpointVersion) return snapshot;
  return { ...snapshot, checkpointVersion };
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
