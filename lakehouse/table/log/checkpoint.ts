/**
 * Delta checkpoints (PROTOCOL.md "Checkpoints", "Last Checkpoint File", "Checkpoint Schema"): the state
 * of a table at one version in one Parquet file, so that a reader starts there instead of replaying every
 * JSON commit from version 0.
 *
 * A classic single-file checkpoint `_delta_log/<version>.checkpoint.parquet` has one row per action, each
 * action a nullable struct column (`protocol`, `metaData`, `txn`, `add`, `remove`), exactly one of them
 * set per row: the protocol, the metadata, every application's txn, every live file (dataChange = false,
 * stats as the JSON string of the commit) and the tombstones that have not expired
 * (`delta.deletedFileRetentionDuration`, a week by default). No commitInfo. `_delta_log/_last_checkpoint`
 * then names it: {"version", "size" (rows), "sizeInBytes", "numOfAddFiles"}.
 *
 * fitlake writes one after a commit whose version is a multiple of `delta.checkpointInterval` (default
 * 100), from the snapshot of that commit; best effort (see checkpointIfDue). It reads single-file and
 * multi-part checkpoints of other writers too (delta-rs, Spark), taking the columns it needs and ignoring
 * the rest (partitionValues_parsed, deletion vectors of tables it refuses anyway, stats_parsed: a file whose
 * row has only those, without the JSON stats every writer writes by default, reads as a file without
 * statistics, never pruned).
 *
 * The version that added each file. A snapshot keeps it per live file (incremental readers compare it
 * with their checkpoint, see files/scan.ts filesAddedSince), and the log holds it only as the version of
 * the JSON commit that added the file, which a checkpoint does not carry. fitlake's checkpoints keep it in
 * the add's `tags` (a map every Delta reader carries along and ignores): `fitlake.addedInVersion`, from
 * the snapshot the checkpoint is written from, so a reader starting at the checkpoint knows exactly what
 * a replay from version 0 would. The tag is never written into JSON commits (their add actions stay as
 * other engines write them; a commit's version says it there) and is taken out of the add actions a
 * reader gets back. A file of a checkpoint without the tag (another engine's checkpoint) counts as added
 * at the checkpoint's version: never later than it really was, so an incremental reader whose checkpoint
 * is older reads it again (readers downstream merge idempotently), and one past it was right to skip it.
 * Replaying the JSON commits before the checkpoint would find the exact version, at the cost the
 * checkpoint is there to save; fitlake's next checkpoint then carries the (conservative) version along.
 */
import type { ObjectStore } from '../../storage/index.ts';
import { FitlakeError, NotFoundError } from '../../errors.ts';
import type { AddAction, MetadataAction, ProtocolAction, TxnAction } from './actions.ts';
import { decodeCheckpointFile, decodeCheckpointTombstones, encodeCheckpointRows, type DecodedCheckpoint } from './checkpoint-parquet.ts';
import { TableFormatError } from './errors.ts';
import { checkpointKeys, LAST_CHECKPOINT_KEY } from './log-paths.ts';
import { checkpointInterval, deletedFileRetentionMs, txnExpiryCutoff } from './table-properties.ts';

/** The add tag that carries the version that added the file (see the module comment). */
export const ADDED_IN_VERSION_TAG = 'fitlake.addedInVersion';

/** What a checkpoint is written from: a snapshot (structurally, so that snapshot.ts can import this file). */
export interface CheckpointSource {
  readonly location: string;
  readonly version: number;
  readonly protocol: ProtocolAction;
  readonly metadata: MetadataAction;
  readonly files: ReadonlyMap<string, AddAction>;
  readonly fileVersions: ReadonlyMap<string, number>;
  readonly txns: ReadonlyMap<string, number>;
  readonly txnUpdated?: ReadonlyMap<string, number> | undefined;
  readonly tombstones: ReadonlyMap<string, number>;
  /** The version's commit time (ms): txns expire by it (table-properties.ts), not by when the checkpoint is written. */
  readonly timestamp?: number;
  /** The newest checkpoint the snapshot knows of. */
  readonly checkpointVersion?: number | undefined;
}

/** What a checkpoint holds, as a reader needs it (see DecodedCheckpoint). */
export type CheckpointContent = Required<Pick<DecodedCheckpoint, 'protocol' | 'metadata'>> & Omit<DecodedCheckpoint, 'tag' | 'tombstones'> & { readonly tombstones: CheckpointTombstones };

/** `_delta_log/_last_checkpoint`. */
export interface LastCheckpoint {
  version: number;
  /** Rows (actions) of the checkpoint. */
  size: number;
  /** Part count of a multi-part checkpoint (absent for a single file). */
  parts?: number;
  sizeInBytes?: number;
  numOfAddFiles?: number;
}

// ---------------------------------------------------------------------------------------------------
// Writing

/**
 * The Parquet bytes of the checkpoint of `source` (see the module comment), with its row count and
 * number of live files. `now` decides which tombstones have expired.
 */
export function encodeCheckpoint(source: CheckpointSource, now: number): { bytes: Uint8Array; size: number; numOfAddFiles: number } {
  const retentionCutoff = now - deletedFileRetentionMs(source.metadata);
  const tombstones = [...source.tombstones].filter(([, at]) => at >= retentionCutoff);
  const txnCutoff = txnExpiryCutoff(source.metadata, source.timestamp);
  const txns: TxnAction[] = [];
  for (const [appId, version] of source.txns) {
    const lastUpdated = source.txnUpdated?.get(appId) ?? null;
    if (lastUpdated === null || lastUpdated > txnCutoff) txns.push({ appId, version, lastUpdated });
  }
  const adds: AddAction[] = [];
  for (const [path, file] of source.files) {
    const addedIn = source.fileVersions.get(path);
    const tags = addedIn === undefined ? file.tags : { ...file.tags, [ADDED_IN_VERSION_TAG]: String(addedIn) };
    adds.push({ path, partitionValues: file.partitionValues, size: file.size, modificationTime: file.modificationTime, dataChange: false, stats: file.stats ?? null, tags: tags ?? null });
  }
  const bytes = encodeCheckpointRows({ protocol: source.protocol, metadata: source.metadata, txns, adds, tombstones });
  return { bytes, size: 2 + txns.length + adds.length + tombstones.length, numOfAddFiles: adds.length };
}

/** The `_last_checkpoint` hint, or undefined when there is none or it cannot be parsed (it is only a hint). */
export async function readLastCheckpoint(store: ObjectStore): Promise<LastCheckpoint | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(LAST_CHECKPOINT_KEY);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Partial<LastCheckpoint>;
    if (!Number.isSafeInteger(parsed.version) || parsed.version! < 0) return undefined;
    const parts = parsed.parts;
    if (parts !== undefined && parts !== null && !(Number.isSafeInteger(parts) && parts > 0)) return undefined;
    return { version: parsed.version!, size: Number(parsed.size ?? 0), ...(parts ? { parts } : {}) };
  } catch {
    return undefined;
  }
}

/**
 * Write the checkpoint of `source`, then point `_last_checkpoint` at it unless it already names a
 * newer one. Overwriting a checkpoint of the same version (another writer's, or a retry) is harmless:
 * the state of a version is the same whoever writes it.
 */
export async function writeCheckpoint(store: ObjectStore, source: CheckpointSource, now: number = Date.now()): Promise<LastCheckpoint> {
  const { bytes, size, numOfAddFiles } = encodeCheckpoint(source, now);
  await store.put(checkpointKeys(source.version)[0]!, bytes);
  const last: LastCheckpoint = { version: source.version, size, sizeInBytes: bytes.length, numOfAddFiles };
  const current = await readLastCheckpoint(store);
  if (current === undefined || current.version < source.version) await store.put(LAST_CHECKPOINT_KEY, new TextEncoder().encode(JSON.stringify(last)));
  return last;
}

/** True for a positive power of two. */
const powerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;

/**
 * After a commit: write a checkpoint of its snapshot when one is due, and return the version of the
 * newest checkpoint known afterwards (the snapshot's own when nothing was written). Never throws: a
 * checkpoint is an optimization, and a commit that succeeded must not be reported as failed because of
 * it.
 *
 * Due: the latest multiple m of the interval at or before this version (m > 0) is newer than the newest
 * checkpoint the snapshot knows of. At m itself the checkpoint is written. Past m (the commit of m was
 * another writer's, writing failed, or the interval changed) `_last_checkpoint` is read first (another
 * writer may have checkpointed since) and the checkpoint is written at this version only when it names
 * none at or after m: on the commits m + 1, m + 2, m + 4, … so that a store that keeps refusing the
 * file costs a few attempts per interval, not one per commit.
 */
export async function checkpointIfDue(store: ObjectStore, source: CheckpointSource, now: () => number = Date.now): Promise<number | undefined> {
  const known = source.checkpointVersion;
  try {
    const interval = checkpointInterval(source.metadata);
    const m = source.version - (source.version % interval);
    if (m === 0 || (known !== undefined && known >= m)) return known;
    if (source.version !== m) {
      if (!powerOfTwo(source.version - m)) return known;
      const hint = await readLastCheckpoint(store);
      if (hint !== undefined && hint.version >= m && hint.version <= source.version) return hint.version;
    }
    await writeCheckpoint(store, source, now());
    return source.version;
  } catch {
    // Retried on a later commit (see above); readers replay the JSON commits meanwhile.
    return known;
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading

/** True for an error that says the checkpoint cannot be used (absent, damaged), not that the store failed. */
export function checkpointUnusable(e: unknown): boolean {
  return !(e instanceof FitlakeError && e.retriable);
}

/**
 * The content of the checkpoint of `version` (of `parts` files). Throws NotFoundError when a file is
 * missing, TableFormatError when the files hold no protocol or metadata, and the Parquet layer's errors
 * for files it cannot decode.
 */
export async function readCheckpoint(store: ObjectStore, location: string, version: number, parts?: number): Promise<CheckpointContent> {
  const files = await Promise.all(checkpointKeys(version, parts).map((key) => store.get(key)));
  const out: DecodedCheckpoint = { version, tag: ADDED_IN_VERSION_TAG, files: new Map(), fileVersions: new Map(), txns: [], tombstones: new Map() };
  let rows = 0;
  for (const bytes of files) rows += await decodeCheckpointFile(out, bytes, { tombstones: false });
  const { protocol, metadata } = out;
  if (!protocol || !metadata) throw new TableFormatError(location, `the checkpoint of version ${version} has no protocol or metaData action`);
  // Rows that are not the state decoded: tombstones, or actions fitlake does not read (about).
  const tombstones = new CheckpointTombstones(files, Math.max(0, rows - 2 - out.files.size - out.txns.length));
  return { version, protocol, metadata, files: out.files, fileVersions: out.fileVersions, txns: out.txns, tombstones };
}

/**
 * A checkpoint's tombstones, decoded from its bytes when first asked for (any method of the map): a
 * table that is opened to be read never pays for them. `estimate` is their number before decoding, at
 * most the true one plus the rows of actions fitlake does not read.
 */
export class CheckpointTombstones implements ReadonlyMap<string, number> {
  private decoded: Map<string, number> | undefined;
  private bytes: readonly Uint8Array[] | undefined;

  constructor(
    bytes: readonly Uint8Array[],
    readonly estimate: number,
  ) {
    this.bytes = bytes;
  }

  get loaded(): boolean {
    return this.decoded !== undefined;
  }

  private get map(): Map<string, number> {
    if (this.decoded === undefined) {
      const map = new Map<string, number>();
      for (const bytes of this.bytes ?? []) decodeCheckpointTombstones(bytes, map);
      this.decoded = map;
      this.bytes = undefined;
    }
    return this.decoded;
  }

  get size(): number {
    return this.map.size;
  }
  get(key: string): number | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  forEach(callback: (value: number, key: string, map: ReadonlyMap<string, number>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.map) callback.call(thisArg, value, key, this);
  }
  entries(): MapIterator<[string, number]> {
    return this.map.entries();
  }
  keys(): MapIterator<string> {
    return this.map.keys();
  }
  values(): MapIterator<number> {
    return this.map.values();
  }
  [Symbol.iterator](): MapIterator<[string, number]> {
    return this.map.entries();
  }
}
