/**
 * What the API reads from the lake, each table through its own TableWatcher (so at most one look for a
 * new version per table per interval): version-keyed in-memory indexes of the two gold tables and of
 * the two silver tables the API joins (users: user → MAC; completed_workouts: workout → start time),
 * plus version, row count and commit time of every table for pipelineStatus.
 */
import { allTables, completedWorkouts, gymSummary, users, workoutBpmSummary } from '../../schema/tables.ts';
import { tablePath, type TableDef } from '../../schema/types.ts';
import { type ObjectStore, prefixedStore } from '../../lakehouse/storage/index.ts';
import type { ColumnarIndex } from './columnar-index.ts';
import { emptyIndex, indexSpecOf, loadIndex } from './load-index.ts';
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

export type LakeDataOptions = WatcherOptions;

export class LakeData {
  private readonly indexes = new Map<string, TableWatcher<ColumnarIndex>>();
  private readonly counts = new Map<string, TableWatcher<number>>();
  private readonly now: () => number;

  constructor(
    readonly root: ObjectStore,
    options: LakeDataOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    for (const def of INDEXED_TABLES) {
      const spec = indexSpecOf(def);
      this.indexes.set(def.name, new TableWatcher(prefixedStore(root, tablePath(def)), (table, snapshot, previous) => loadIndex(table, snapshot, spec, previous), options));
    }
    for (const def of allTables) this.counts.set(tablePath(def), new TableWatcher(prefixedStore(root, tablePath(def)), rowCount, options));
  }

  /** The index of the newest loaded version of a table (empty while the table does not exist). */
  async index<T extends (typeof INDEXED_TABLES)[number]>(def: T): Promise<ColumnarIndex<T>> {
    const loaded = await this.indexes.get(def.name)!.get();
    // The watchers are kept by table name, each built from its own declaration: the index under
    // def.name is the index of def.
    return (loaded?.value as ColumnarIndex<T> | undefined) ?? emptyIndex(indexSpecOf(def));
  }

  /**
   * The versions of the indexed tables that answers are served from right now (-1: absent), as one
   * string: answers computed from the indexes depend on nothing else of the lake, so a response cache
   * keyed by it can never serve an answer of older data once a newer version is served.
   */
  async versions(): Promise<string> {
    const loaded = await Promise.all(INDEXED_TABLES.map((def) => this.indexes.get(def.name)!.get()));
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
