/**
 * The maps of a snapshot (live files, their versions, txns, tombstones) shared by every later snapshot
 * refreshed from it, so that a refresh costs what the new commits change, not the size of the table.
 *
 * A lineage holds a base map (the state at `baseVersion`, never changed again) and, per key changed
 * since, the list of its changes in version order. The snapshot at version v sees, for each key, its
 * last change at or before v, else its base value: older snapshots stay exactly as they were while
 * newer ones are built on the same lineage. Only the next version (head + 1) is ever written, and the
 * Delta log is linear, so two refreshes of one lineage write the same changes: the second finds them
 * written and reuses them.
 *
 * Changes pile up (a txn rewritten by every commit, files added then compacted away), so once a
 * lineage holds more changes than its base has entries, the next snapshot starts a new lineage whose
 * base is a copy of its state: a copy of n entries after at least n changes, O(1) per change overall.
 * The old lineage points at its successor, so snapshots of it refreshed later continue on the new one.
 */

interface Change<V> {
  readonly version: number;
  /** undefined: the key was deleted at this version. */
  readonly value: V | undefined;
}

/** Changes kept in one lineage before a new one is started regardless of the base's size. */
const MIN_CHANGES_BEFORE_REBASE = 1024;

/** One map of a lineage: see the module comment. Written through set/delete at `head`, read per version. */
export class MapLineage<K, V> {
  private readonly changes = new Map<K, Change<V>[]>();
  /** size at baseVersion + i. */
  private readonly sizes: number[];
  private changeCount = 0;
  private head: number;
  /** The first version with a change (Infinity while there is none). */
  private firstChange = Infinity;

  constructor(
    private readonly base: ReadonlyMap<K, V>,
    readonly baseVersion: number,
  ) {
    this.head = baseVersion;
    this.sizes = [base.size];
  }

  /** Number of changes recorded since the base. */
  get changed(): number {
    return this.changeCount;
  }

  get baseSize(): number {
    return this.base.size;
  }

  /** Start writing version head + 1 (its changes then go through set and delete). */
  begin(version: number): void {
    if (version !== this.head + 1) throw new RangeError(`map lineage at version ${this.head} cannot take version ${version}`);
    this.head = version;
    this.sizes.push(this.sizes[this.sizes.length - 1]!);
  }

  /** The value at the head version (what set/delete see). */
  get(key: K): V | undefined {
    return this.read(key, this.head);
  }

  set(key: K, value: V): void {
    this.record(key, value);
  }

  delete(key: K): void {
    this.record(key, undefined);
  }

  private record(key: K, value: V | undefined): void {
    const before = this.read(key, this.head);
    const i = this.sizes.length - 1;
    this.sizes[i] = this.sizes[i]! + (before === undefined ? 0 : -1) + (value === undefined ? 0 : 1);
    let list = this.changes.get(key);
    if (list === undefined) {
      if (value === undefined && !this.base.has(key)) return; // deleting what never was: no change
      list = [];
      this.changes.set(key, list);
    }
    const last = list[list.length - 1];
    if (last !== undefined && last.version === this.head) {
      list[list.length - 1] = { version: this.head, value };
    } else {
      list.push({ version: this.head, value });
      this.changeCount++;
      if (this.head < this.firstChange) this.firstChange = this.head;
    }
  }

  /** The value of `key` at `version` (baseVersion ≤ version ≤ head). */
  read(key: K, version: number): V | undefined {
    const list = this.changes.get(key);
    if (list !== undefined) {
      for (let i = list.length - 1; i >= 0; i--) {
        const change = list[i]!;
        if (change.version <= version) return change.value;
      }
    }
    return this.base.get(key);
  }

  sizeAt(version: number): number {
    return this.sizes[version - this.baseVersion]!;
  }

  /** True when no change is visible at `version`: the base is the map. */
  private baseOnly(version: number): boolean {
    return this.changes.size === 0 || version < this.firstChange;
  }

  /** Entries at `version`: the base's in its order, then keys added since in the order they came. */
  entriesAt(version: number): IterableIterator<[K, V]> {
    return this.baseOnly(version) ? this.base.entries() : this.changedEntries(version);
  }

  keysAt(version: number): IterableIterator<K> {
    return this.baseOnly(version) ? this.base.keys() : this.changedKeys(version);
  }

  valuesAt(version: number): IterableIterator<V> {
    return this.baseOnly(version) ? this.base.values() : this.changedValues(version);
  }

  private *changedEntries(version: number): IterableIterator<[K, V]> {
    for (const [key, value] of this.base) {
      const now = this.changes.has(key) ? this.read(key, version) : value;
      if (now !== undefined) yield [key, now];
    }
    for (const key of this.changes.keys()) {
      if (this.base.has(key)) continue;
      const now = this.read(key, version);
      if (now !== undefined) yield [key, now];
    }
  }

  private *changedKeys(version: number): IterableIterator<K> {
    for (const key of this.base.keys()) if (!this.changes.has(key) || this.read(key, version) !== undefined) yield key;
    for (const key of this.changes.keys()) if (!this.base.has(key) && this.read(key, version) !== undefined) yield key;
  }

  private *changedValues(version: number): IterableIterator<V> {
    for (const [key, value] of this.base) {
      const now = this.changes.has(key) ? this.read(key, version) : value;
      if (now !== undefined) yield now;
    }
    for (const key of this.changes.keys()) {
      if (this.base.has(key)) continue;
      const now = this.read(key, version);
      if (now !== undefined) yield now;
    }
  }

  /** True when a new lineage should take over (see the module comment). */
  get worthRebasing(): boolean {
    return this.changeCount > MIN_CHANGES_BEFORE_REBASE + this.base.size;
  }
}

/** The read-only view of a lineage's map at one version: what a Snapshot hands out. */
export class VersionedMap<K, V> implements ReadonlyMap<K, V> {
  constructor(
    readonly lineage: MapLineage<K, V>,
    readonly version: number,
  ) {}

  get size(): number {
    return this.lineage.sizeAt(this.version);
  }

  get(key: K): V | undefined {
    return this.lineage.read(key, this.version);
  }

  has(key: K): boolean {
    return this.lineage.read(key, this.version) !== undefined;
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.lineage.entriesAt(this.version)) callback.call(thisArg, value, key, this);
  }

  entries(): IterableIterator<[K, V]> {
    return this.lineage.entriesAt(this.version);
  }

  keys(): IterableIterator<K> {
    return this.lineage.keysAt(this.version);
  }

  values(): IterableIterator<V> {
    return this.lineage.valuesAt(this.version);
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.lineage.entriesAt(this.version);
  }

  get [Symbol.toStringTag](): string {
    return 'VersionedMap';
  }
}
