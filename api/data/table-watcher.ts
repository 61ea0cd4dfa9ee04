/**
 * One table as the API sees it: its latest snapshot and a value built from it (an index, a count),
 * cached per table version.
 *
 * - A request looks for a newer version at most once per interval (default 1 s) per table: one probe of
 *   the next commit file (DeltaTable.refresh), shared by all requests arriving meanwhile.
 * - When a newer version is found, its value is built once in the background; requests keep getting the
 *   previous version's value until the new one is complete, so no request waits for a rebuild (only the
 *   very first load is awaited). Versions never go backwards.
 * - A table that does not exist yet reads as absent (undefined); it is looked for again on the next
 *   interval. A failed build is retried on the next interval; the previous value keeps being served.
 */
import type { ObjectStore } from '../../lakehouse/storage/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { TableNotFoundError, type Snapshot } from '../../lakehouse/table/log/index.ts';

export interface Loaded<T> {
  readonly version: number;
  readonly snapshot: Snapshot;
  readonly value: T;
}

export interface WatcherOptions {
  /** Minimum time between two looks for a newer version. @default 1000 */
  intervalMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** Told about background failures (a build that failed while an older value is served). */
  onError?: (error: unknown) => void;
}

export class TableWatcher<T> {
  private table: DeltaTable | undefined;
  private lastCheck = -Infinity;
  private checking: Promise<void> | undefined;
  private loaded: Loaded<T> | undefined;
  private loading: { version: number; promise: Promise<void> } | undefined;
  private lastError: unknown;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(
    private readonly store: ObjectStore,
    /** The value of a snapshot, given the value of the version served until now (to build on, if it can). */
    private readonly build: (table: DeltaTable, snapshot: Snapshot, previous: T | undefined) => Promise<T>,
    private readonly options: WatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** The value of the newest version built so far; undefined while the table does not exist. */
  async get(): Promise<Loaded<T> | undefined> {
    // Requests arriving while a look is under way wait for it too (it is one small read).
    const checking = this.lookIfDue();
    if (checking) {
      try {
        await checking;
      } catch (e) {
        // Storage trouble: serve what we have; without anything, the request fails (masked).
        if (!this.loaded) throw e;
        this.options.onError?.(e);
      }
    }
    if (!this.loaded) {
      if (this.loading) await this.loading.promise;
      // The table exists but its first build failed: that is an error, not an empty table.
      if (!this.loaded && this.table && this.lastError !== undefined) throw this.lastError;
    }
    return this.loaded;
  }

  /** The snapshot seen last (after a look, if one is due), without waiting for a build. */
  async snapshot(): Promise<Snapshot | undefined> {
    await this.lookIfDue();
    return this.table?.snapshot;
  }

  /** Start a look for a newer version when one is due; the look under way, if any. */
  private lookIfDue(): Promise<void> | undefined {
    if (!this.checking && this.now() - this.lastCheck >= this.intervalMs) {
      this.checking = this.check().finally(() => (this.checking = undefined));
    }
    return this.checking;
  }

  private async check(): Promise<void> {
    this.lastCheck = this.now();
    if (!this.table) {
      try {
        this.table = await DeltaTable.open(this.store);
      } catch (e) {
        if (e instanceof TableNotFoundError) return;
        throw e;
      }
    } else {
      await this.table.refresh();
    }
    const snapshot = this.table.snapshot;
    if (this.loaded?.version === snapshot.version || this.loading?.version === snapshot.version) return;
    if (this.loaded && this.loaded.version > snapshot.version) return;
    this.startLoad(this.table, snapshot);
  }

  private startLoad(table: DeltaTable, snapshot: Snapshot): void {
    const loading = {
      version: snapshot.version,
      promise: this.build(table, snapshot, this.loaded?.value).then(
        (value) => {
          if (!this.loaded || this.loaded.version < snapshot.version) this.loaded = { version: snapshot.version, snapshot, value };
          this.lastError = undefined;
        },
        (error: unknown) => {
          this.lastError = error;
          // Try again on the next look.
          this.lastCheck = -Infinity;
          if (this.loaded) this.options.onError?.(error);
        },
      ),
    };
    this.loading = loading;
    void loading.promise.finally(() => {
      if (this.loading === loading) this.loading = undefined;
    });
  }
}
