/**
 * What the API reads from the lake, each table through its own TableWatcher (so at most one look for a
 * new version per table per interval): version-keyed in-memory indexes of the two gold tables and of
 * the two silver tables the API joins (users: user → MAC; completed_workouts: workout → start time),
 * plus version, row count and commit time of every table for pipelineStatus; silver workout_bpm, too
 * large to hold, is scanned per curve with file pruning; the quarantine is summarised once per version.
 */
import { allTables, completedWorkouts, gymSummary, quarantineRecords, users, workoutBpm, workoutBpmSummary } from '../../schema/tables.ts';
import { tablePath, type TableDef } from '../../schema/types.ts';
import { type ObjectStore, prefixedStore } from '../../lakehouse/storage/index.ts';
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';
import type { ColumnarIndex } from './columnar-index.ts';
import { readHeartRateCurve, type CurveKey, type HeartRatePoint } from './heart-rate-curve.ts';
import { emptyIndex, indexSpecOf, loadIndex } from './load-index.ts';
import { EMPTY_QUARANTINE, summarizeQuarantine, type QuarantineSummary } from './quarantine-summary.ts';
import { rowCount } from './row-count.ts';
import { TableWatcher, type WatcherOptions } from './table-watcher.ts';

/** The tables held as indexes. */
export const INDEXED_TABLES = [workoutBpmSummary, gymSummary, users, completedWorkouts] as const satisfies readonly TableDef[];
export const GOLD_TABLES = [workoutBpmSummary, gymSummary] as const satisfies readonly TableDef[];

export interface TableStatus {
  layer: string;
  name: string;
  path: string;
  exists: boolean;
  version: number | null;
  rowCount: number | null;
  /** Commit time of the version, µs since the epoch. */
  lastCommitAt: number | null;
  /** Seconds since that commit. */
  freshnessSeconds: number | null;
}

/** How an index version was built: read whole, or from the previous version's index plus the files added since. */
export type IndexLoadKind = 'full' | 'incremental';

export interface LakeDataOptions extends WatcherOptions {
  /** Told of every index version built (the API's metrics): the table, how, and how long it took. */
  onIndexLoad?: (table: string, kind: IndexLoadKind, seconds: number) => void;
}

export class LakeData {
  private readonly indexes = new Map<string, TableWatcher<ColumnarIndex>>();
  private readonly counts = new Map<string, TableWatcher<number>>();
  /** workout_bpm's table itself: each curve is a pruned scan of the version served. */
  private readonly readings: TableWatcher<DeltaTable>;
  private readonly quarantine: TableWatcher<QuarantineSummary>;
  private readonly now: () => number;

  constructor(
    readonly root: ObjectStore,
    options: LakeDataOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    for (const def of INDEXED_TABLES) {
      const spec = indexSpecOf(def);
      const build = async (table: DeltaTable, snapshot: Snapshot, previous: ColumnarIndex | undefined) => {
        const started = performance.now();
        const index = await loadIndex(table, snapshot, spec, previous);
        options.onIndexLoad?.(def.name, previous ? 'incremental' : 'full', (performance.now() - started) / 1000);
        return index;
      };
      this.indexes.set(def.name, new TableWatcher(prefixedStore(root, tablePath(def)), build, options));
    }
    for (const def of allTables) this.counts.set(tablePath(def), new TableWatcher(prefixedStore(root, tablePath(def)), rowCount, options));
    this.readings = new TableWatcher(prefixedStore(root, tablePath(workoutBpm)), async (table) => table, options);
    this.quarantine = new TableWatcher(prefixedStore(root, tablePath(quarantineRecords)), summarizeQuarantine, options);
  }

  /** One workout's readings from the newest workout_bpm version seen (none while the table is absent). */
  async heartRateCurve(key: CurveKey): Promise<HeartRatePoint[]> {
    const loaded = await this.readings.get();
    return loaded ? readHeartRateCurve(loaded.value, loaded.snapshot, key) : [];
  }

  /** The quarantine by reason, of the newest version summarised (empty while the table is absent). */
  async quarantineSummary(): Promise<QuarantineSummary> {
    return (await this.quarantine.get())?.value ?? EMPTY_QUARANTINE;
  }

  /** The index of the newest loaded version of a table (empty while the table does not exist). */
  async index<T extends (typeof INDEXED_TABLES)[number]>(def: T): Promise<ColumnarIndex<T>> {
    const loaded = await this.indexes.get(def.name)!.get();
    // The watchers are kept by table name, each built from its own declaration: the index under
    // def.name is the index of def.
    return (loaded?.value as ColumnarIndex<T> | undefined) ?? emptyIndex(indexSpecOf(def));
  }

  /**
   * The versions of the tables that cacheable answers are served from right now (-1: absent), as one
   * string: the indexed tables and workout_bpm (a workout's heartRate). Those answers depend on nothing
   * else of the lake, so a response cache keyed by it can never serve an answer of older data once a
   * newer version is served.
   */
  async versions(): Promise<string> {
    const loaded = await Promise.all([...INDEXED_TABLES.map((def) => this.indexes.get(def.name)!.get()), this.readings.get()]);
    return loaded.map((l) => l?.version ?? -1).join(',');
  }

  /** Version, rows and freshness of every table of the lake, in the order of allTables. */
  async statuses(): Promise<TableStatus[]> {
    const now = this.now();
    return Promise.all(
      allTables.map(async (def): Promise<TableStatus> => {
        const loaded = await this.counts.get(tablePath(def))!.get();
        const base = { layer: def.layer, name: def.name, path: tablePath(def) };
        if (!loaded) return { ...base, exists: false, version: null, rowCount: null, lastCommitAt: null, freshnessSeconds: null };
        const committed = loaded.snapshot.timestamp;
        return { ...base, exists: true, version: loaded.version, rowCount: loaded.value, lastCommitAt: committed * 1000, freshnessSeconds: Math.max(0, (now - committed) / 1000) };
      }),
    );
  }

  /** Ready when both gold tables exist and their snapshots load; starts loading their indexes. */
  async ready(): Promise<boolean> {
    const snapshots = await Promise.all(GOLD_TABLES.map((def) => this.indexes.get(def.name)!.snapshot()));
    this.warmUp();
    return snapshots.every((s) => s !== undefined);
  }

  /** Load the indexes now rather than on the first query; failures surface on that query instead. */
  warmUp(): void {
    for (const watcher of this.indexes.values()) void watcher.get().catch(() => {});
  }
}
