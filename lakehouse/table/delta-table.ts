/**
 * A Delta table at a location: the one object the pipeline steps and the API use. It holds the latest
 * snapshot it has seen and delegates every verb to operations/ (one file per verb, as delta-rs does).
 */
import type { TableDef } from '../../schema/types.ts';
import type { ObjectStore } from '../storage/index.ts';
import { type ColumnBatch, rowsFromBatch } from './columns/column-batch.ts';
import { statsOf } from './files/file-stats.ts';
import { append, type AppendOptions } from './operations/append.ts';
import { compact, type CompactOptions, type CompactResult } from './operations/compact.ts';
import { createTableIfAbsent, setTableProperties, type TableSpec } from './operations/create.ts';
import { deleteRows, type DeleteResult, type DeleteSpec } from './operations/delete.ts';
import { merge, type MergeResult, type MergeSpec } from './operations/merge.ts';
import { overwrite, type OverwriteOptions } from './operations/overwrite.ts';
import { vacuum, type VacuumOptions, type VacuumResult } from './operations/vacuum.ts';
import { scanSnapshot, type ScanOptions } from './files/scan.ts';
import { writeCheckpoint, type LastCheckpoint } from './log/checkpoint.ts';
import { cleanupExpiredLog, type LogCleanupOptions, type LogCleanupResult } from './log/log-cleanup.ts';
import { checkpointKeys, commitKey } from './log/log-paths.ts';
import { loadSnapshot, refreshSnapshot, tableHistory, withCheckpointVersion, type HistoryEntry, type Snapshot } from './log/snapshot.ts';
import type { CommitResult } from './log/transaction.ts';

export class DeltaTable {
  private constructor(
    readonly store: ObjectStore,
    private current: Snapshot,
  ) {}

  /** Open the table at the store's root, creating it from the declaration when absent. */
  static async createIfAbsent(store: ObjectStore, spec: TableSpec | TableDef): Promise<DeltaTable> {
    // Every table of the lake keeps a change data feed: its readers downstream follow updates and deletes.
    const tableSpec: TableSpec = 'layer' in spec ? { name: spec.name, columns: spec.columns, partitionBy: spec.partitionBy, description: spec.description, changeDataFeed: true, ...(spec.properties ? { properties: spec.properties } : {}) } : spec;
    return new DeltaTable(store, await createTableIfAbsent(store, tableSpec));
  }

  /** Open an existing table (TableNotFoundError when there is none). */
  static async open(store: ObjectStore, version?: number): Promise<DeltaTable> {
    return new DeltaTable(store, await loadSnapshot(store, version));
  }

  /** The latest snapshot this object has seen (call refresh() to look for newer commits). */
  get snapshot(): Snapshot {
    return this.current;
  }

  get version(): number {
    return this.current.version;
  }

  /** Advance to the newest committed version. */
  async refresh(): Promise<Snapshot> {
    this.current = await refreshSnapshot(this.store, this.current);
    return this.current;
  }

  /**
   * True when the commit of the version this object holds is gone from the store: the table was deleted
   * (a lake folder removed to start over) or replaced while this object was kept. A table's newest commit
   * file is never removed by the table itself (nor its checkpoint, when the snapshot was read from one).
   */
  async vanished(): Promise<boolean> {
    const { version, checkpointVersion } = this.current;
    if ((await this.store.head(commitKey(version))) !== undefined) return false;
    // Read from a checkpoint whose own commit another engine cleaned up: the checkpoint stands for it.
    return checkpointVersion !== version || (await this.store.head(checkpointKeys(version)[0]!)) === undefined;
  }

  /** The snapshot at an earlier (or the latest) version: time travel. */
  snapshotAt(version: number): Promise<Snapshot> {
    return loadSnapshot(this.store, version);
  }

  /** The txn version the table holds for an application (a step's checkpoint), or undefined. */
  txnVersion(appId: string): number | undefined {
    return this.current.txns.get(appId);
  }

  /** Batches of matching rows of the current (or given) snapshot. */
  scan(options: ScanOptions & { snapshot?: Snapshot } = {}): AsyncGenerator<ColumnBatch> {
    return scanSnapshot(this.store, options.snapshot ?? this.current, options);
  }

  /** All matching rows as objects; for small tables and tests. */
  async rows(options: ScanOptions & { snapshot?: Snapshot } = {}): Promise<Record<string, unknown>[]> {
    const out: Record<string, unknown>[] = [];
    // No spread into push: a file of 250k rows would overflow the call stack.
    for await (const batch of this.scan(options)) for (const row of rowsFromBatch(batch)) out.push(row);
    return out;
  }

  /** Number of rows, from statistics when every file has them. */
  async count(): Promise<number> {
    let n = 0;
    const { columns, partitionColumns } = this.current;
    for (const add of this.current.files.values()) {
      const records = statsOf(add, columns, partitionColumns).numRecords;
      if (records === undefined) {
        n = 0;
        for await (const batch of this.scan({ columns: [columns[0]!.name] })) n += batch.numRows;
        return n;
      }
      n += records;
    }
    return n;
  }

  /*
   * The writing verbs work on `planned` when given: the snapshot the caller planned its work from (its
   * checkpoints read there), so the commit is judged against everything committed after it (see
   * transaction.ts). Without it they work on the newest version, for callers that planned nothing.
   */

  async append(batch: ColumnBatch, options?: AppendOptions, planned?: Snapshot): Promise<CommitResult> {
    return this.track(await append(this.store, planned ?? (await this.refresh()), batch, options));
  }

  async merge(source: ColumnBatch, spec: MergeSpec, planned?: Snapshot): Promise<MergeResult> {
    return this.track(await merge(this.store, planned ?? (await this.refresh()), source, spec));
  }

  async deleteRows(spec: DeleteSpec, planned?: Snapshot): Promise<DeleteResult> {
    return this.track(await deleteRows(this.store, planned ?? (await this.refresh()), spec));
  }

  async overwrite(batch: ColumnBatch, options?: OverwriteOptions): Promise<CommitResult> {
    return this.track(await overwrite(this.store, await this.refresh(), batch, options));
  }

  async compact(options?: CompactOptions): Promise<CompactResult> {
    const result = await compact(this.store, await this.refresh(), options);
    if (result.commit) this.track(result.commit);
    return result;
  }

  async vacuum(options?: VacuumOptions): Promise<VacuumResult> {
    return vacuum(this.store, await this.refresh(), options);
  }

  /**
   * Remove the log files past `delta.logRetentionDuration` behind a checkpoint (log/log-cleanup.ts);
   * every version from the newest such checkpoint on stays readable.
   */
  async cleanupLog(options?: LogCleanupOptions): Promise<LogCleanupResult> {
    return cleanupExpiredLog(this.store, await this.refresh(), options);
  }

  /**
   * Write a log checkpoint of the newest version now (commits write one every delta.checkpointInterval
   * versions by themselves; see log/checkpoint.ts). Returns what `_last_checkpoint` says of it.
   */
  async checkpoint(): Promise<LastCheckpoint> {
    const snapshot = await this.refresh();
    const written = await writeCheckpoint(this.store, snapshot);
    if (this.current === snapshot) this.current = withCheckpointVersion(snapshot, written.version);
    return written;
  }

  /**
   * Set table properties (one SET TBLPROPERTIES commit, none when the table has these values already).
   * A concurrent commit of metadata makes it fail with CommitConflictError; other commits do not.
   */
  async setProperties(properties: Readonly<Record<string, string>>): Promise<Snapshot> {
    const snapshot = await this.refresh();
    if (Object.entries(properties).every(([key, value]) => snapshot.metadata.configuration[key] === value)) return snapshot;
    this.current = await setTableProperties(this.store, snapshot, properties);
    return this.current;
  }

  history(limit?: number): Promise<HistoryEntry[]> {
    return tableHistory(this.store, limit);
  }

  private track<T extends CommitResult>(result: T): T {
    if (result.snapshot.version >= this.current.version) this.current = result.snapshot;
    return result;
  }
}
