/**
 * Merge by key (upsert), copy-on-write: source rows whose key is new are inserted; a source row whose key
 * exists is offered to `whenMatched`, which returns the row to store or undefined to leave the target as
 * it is. Only files that may hold a source key (by statistics) are read, and only files with an updated
 * row are rewritten. With nothing to change there is no data commit.
 */
import type { Cell } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { Action, AddAction } from '../log/actions.ts';
import { takeRows, type ColumnBatch } from '../columns/column-batch.ts';
import type { Row } from '../columns/row.ts';
import { writeChangeFiles, type ChangeRows } from '../files/change-data.ts';
import { statsOf, type FileStats } from '../files/file-stats.ts';
import { KeyIndex } from '../keys/key-index.ts';
import { NumberPairIndex } from '../keys/number-pair-index.ts';
import { fileMayMatch, lessThan, type Predicate, type Value } from '../files/predicate.ts';
import { pruneFiles, readDataFile } from '../files/scan.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { commit, txnAlreadyApplied, type CommitResult, type Txn } from '../log/transaction.ts';
import { conformBatch, storeDataFiles, writeDataFiles, type EncodedDataFile, type WriteFilesOptions } from '../files/write-files.ts';

export interface MergeSpec {
  /** Key columns. */
  key: readonly string[];
  /** Decide a matched row: the row to store, or undefined to keep the target row. @default keep */
  whenMatched?: (target: Row, source: Row) => Row | undefined;
  /** @default 'insert' */
  whenNotMatched?: 'insert' | 'ignore';
  txn?: Txn | readonly Txn[];
  targetFileRows?: number;
  now?: () => number;
  operationParameters?: Record<string, unknown>;
  /**
   * Encodes rows as data files of the table in place of encodeDataFiles (same files), e.g. on a worker
   * thread, so that this thread goes on with other work meanwhile.
   */
  encodeFiles?: (batch: ColumnBatch) => Promise<EncodedDataFile[]>;
  /**
   * Rows of data files the caller wrote itself (MergeResult.written) and still holds, by add path: a
   * candidate among them is probed from these rows instead of being read and decoded again. A merge in
   * chunks mostly finds its keys' range overlapping the file the chunk before wrote; re-reading that
   * file was the largest part of such a merge.
   */
  knownFiles?: ReadonlyMap<string, ColumnBatch>;
  /**
   * The caller vouches that no key occurs twice in the source (it deduplicated them as it built it).
   * The merge then indexes only the source rows some candidate file's statistics admit, not all of them
   * (the others cannot match a stored row): for a big batch of mostly new keys, most of a merge's work.
   */
  uniqueSource?: boolean;
  /**
   * 1 for each source row the caller knows no stored row of the snapshot merged into has the key of (a
   * step that saw every upstream row its key comes from arrive after the version the table reflects):
   * such rows are inserted without a lookup, so a merge of only new keys reads no stored file, whatever
   * the table's size. A concurrent commit adding a file that may hold any source key still conflicts.
   */
  absentRows?: Uint8Array;
}

export interface MergeMetrics {
  sourceRows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  filesRead: number;
  filesRemoved: number;
  filesAdded: number;
}

export interface MergeResult extends CommitResult {
  metrics: MergeMetrics;
  /**
   * When the inserts went into one data file: its path and rows, which a caller merging again soon can
   * pass back as knownFiles.
   */
  written?: { path: string; rows: ColumnBatch };
}

/** Bounds of the key columns (in key order) that rows may lie in; null for a column without known bounds. */
interface KeyBox {
  min: (Cell | undefined)[];
  max: (Cell | undefined)[];
}

/** The key box of a file's statistics. */
function fileKeyBox(stats: FileStats, key: readonly string[]): KeyBox {
  return { min: key.map((name) => stats.min.get(name)), max: key.map((name) => stats.max.get(name)) };
}

/**
 * The smallest and largest cell of a key column over the given rows (all `numRows` when `rows` is
 * undefined), in the order of the statistics they are checked against. Null and boolean cells are left
 * out: no bound rules them out (inBox lets them through), and they only equal cells of their own kind.
 */
function columnBounds(values: readonly Cell[], numRows: number, rows?: readonly number[]): { min: Value | undefined; max: Value | undefined } {
  if (values instanceof Float64Array && !rows) return numberBounds(values, numRows);
  let min: Value | undefined;
  let max: Value | undefined;
  const n = rows ? rows.length : numRows;
  for (let k = 0; k < n; k++) {
    const v = values[rows ? rows[k]! : k]!;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number' && typeof min === 'number' && typeof max === 'number') {
      // Numbers (most keys), compared as lessThan compares them, without its string test.
      if (v < min) min = v;
      if (max < v) max = v;
      continue;
    }
    if (min === undefined || lessThan(v, min)) min = v;
    if (max === undefined || lessThan(max, v)) max = v;
  }
  return { min, max };
}

/** columnBounds of a column of numbers in a Float64Array (see numberColumn): the same bounds, without cell tests. */
function numberBounds(values: Float64Array, numRows: number): { min: number | undefined; max: number | undefined } {
  if (numRows === 0) return { min: undefined, max: undefined };
  let min = values[0]!;
  let max = min;
  for (let i = 1; i < numRows; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (max < v) max = v;
  }
  return { min, max };
}

/**
 * inBox over rows [0, numRows) of a key of two numbers held in Float64Arrays (heart-rate readings), in one
 * loop: sets marks[i] = 1 for every row the box does not rule out and returns how many. Undefined when the
 * key or the box is of another shape, for inBox to test row by row.
 */
function markRowsInPairBox(box: KeyBox, columns: readonly (readonly Cell[])[], numRows: number, marks: Uint8Array): number | undefined {
  const [a, b] = columns;
  const [minA, minB] = box.min;
  const [maxA, maxB] = box.max;
  if (columns.length !== 2 || !(a instanceof Float64Array) || !(b instanceof Float64Array)) return undefined;
  if (typeof minA !== 'number' || typeof minB !== 'number' || typeof maxA !== 'number' || typeof maxB !== 'number') return undefined;
  let inside = 0;
  for (let i = 0; i < numRows; i++) {
    const x = a[i]!;
    const y = b[i]!;
    // As inBox: a NaN cell is never ruled out.
    if (x < minA || maxA < x || y < minB || maxB < y) continue;
    marks[i] = 1;
    inside++;
  }
  return inside;
}

/** The smallest key box holding the given rows. */
function rowsKeyBox(columns: readonly (readonly Cell[])[], rows: readonly number[]): KeyBox {
  const bounds = columns.map((values) => columnBounds(values, 0, rows));
  return { min: bounds.map((b) => b.min), max: bounds.map((b) => b.max) };
}

/** False only when the box rules out the key of row i of `columns` (null cells, unknown bounds: may be there). */
function inBox(box: KeyBox, columns: readonly (readonly Cell[])[], i: number): boolean {
  for (let c = 0; c < columns.length; c++) {
    const v = columns[c]![i]!;
    const min = box.min[c];
    const max = box.max[c];
    if (typeof v === 'number' && typeof min === 'number' && typeof max === 'number') {
      // Numbers (most keys), compared as lessThan compares them, without its string test.
      if (v < min || max < v) return false;
      continue;
    }
    if (v === null || typeof v === 'boolean' || min === undefined || min === null || typeof min === 'boolean' || max === undefined || max === null || typeof max === 'boolean') continue;
    if (lessThan(v, min) || lessThan(max, v)) return false;
  }
  return true;
}

/** The key columns of a batch, in key order. */
function keyColumns(batch: ColumnBatch, key: readonly string[]): (readonly Cell[])[] {
  // Without key columns every row has the same (empty) key.
  if (key.length === 0) return [new Array<Cell>(batch.numRows).fill('')];
  return key.map((name) => {
    const values = batch.columns.get(name);
    if (!values) throw new Error(`no key column ${name}`);
    return values;
  });
}

function rowAt(batch: ColumnBatch, i: number): Row {
  const row: Row = {};
  for (const [name, values] of batch.columns) row[name] = values[i]!;
  return row;
}

/**
 * Source rows by key, probed with every stored row of the files read. Keys of two numbers (a device
 * and a time) go into a NumberPairIndex, whose probe is a hash and an array read where KeyIndex's is a
 * Map lookup and a binary search: the difference is most of a big merge. Other keys use KeyIndex.
 */
class SourceKeys {
  private readonly general: KeyIndex;
  private pairs: NumberPairIndex | undefined;
  /** The source row of each row of `pairs`. */
  private readonly pairRows: number[] = [];

  constructor(width: number) {
    this.general = new KeyIndex(width);
    if (width === 2) this.pairs = new NumberPairIndex();
  }

  /** Adds row i of the source's key columns; returns the row already there with its key, or undefined. */
  add(columns: readonly (readonly Cell[])[], i: number): number | undefined {
    if (this.pairs) {
      const a = columns[0]![i];
      const b = columns[1]![i];
      if (typeof a === 'number' && typeof b === 'number') {
        const have = this.pairs.addOrFind(a, b);
        if (have >= 0) return this.pairRows[have];
        this.pairRows.push(i);
        return undefined;
      }
      // A key with a cell that is not a number: the general index takes over, with the rows added so far.
      for (const row of this.pairRows) this.general.add(columns, row, row);
      this.pairs = undefined;
    }
    return this.general.add(columns, i, i);
  }

  /** The source row with the key of row t of `columns` (a stored file's key columns), or undefined. */
  get(columns: readonly (readonly Cell[])[], t: number): number | undefined {
    if (!this.pairs) return this.general.get(columns, t);
    const a = columns[0]![t];
    const b = columns[1]![t];
    // A number equals no other kind of cell (SameValueZero), so such a stored key matches no source key.
    if (typeof a !== 'number' || typeof b !== 'number') return undefined;
    const row = this.pairs.find(a, b);
    return row < 0 ? undefined : this.pairRows[row];
  }
}

/** Range predicates over the key columns spanning all source keys: which files could hold a match. */
function keyRangePredicates(source: ColumnBatch, key: readonly string[]): Predicate[] {
  const predicates: Predicate[] = [];
  for (const name of key) {
    const { min, max } = columnBounds(source.columns.get(name)!, source.numRows);
    if (min !== undefined && max !== undefined) predicates.push({ column: name, op: '>=', value: min }, { column: name, op: '<=', value: max });
  }
  return predicates;
}

/** The source rows a merge looks stored rows up in, and the stored files it must read to find them. */
interface SourcePlan {
  source: ColumnBatch;
  sourceKeys: readonly (readonly Cell[])[];
  sourceIndex: SourceKeys;
  /** The files whose statistics may hold a source key (what a concurrent commit is judged against). */
  candidates: AddAction[];
  keyPredicates: Predicate[];
  /** The candidates read: with a unique source, only those whose bounds hold a source key. */
  toRead: AddAction[];
  /** The box of the indexed source rows: a stored row outside it matches none, without a lookup. */
  indexedBox: KeyBox | undefined;
}

/**
 * Index the source by key. A unique source (the caller vouches for it) indexes only the rows some
 * candidate file's bounds hold, and reads only the candidates that hold a source row; otherwise every
 * row is indexed and a repeated key is an error.
 */
function planSource(table: string, snapshot: Snapshot, source: ColumnBatch, spec: MergeSpec): SourcePlan {
  const sourceKeys = keyColumns(source, spec.key);
  const keyPredicates = source.numRows > 0 ? keyRangePredicates(source, spec.key) : [];
  const candidates = source.numRows > 0 ? pruneFiles(snapshot, keyPredicates) : [];
  const sourceIndex = new SourceKeys(sourceKeys.length);
  if (!spec.uniqueSource) {
    for (let i = 0; i < source.numRows; i++) {
      if (sourceIndex.add(sourceKeys, i) !== undefined) throw new Error(`merge into ${table}: the source has key ${JSON.stringify(sourceKeys.map((c) => c[i]))} more than once`);
    }
    return { source, sourceKeys, sourceIndex, candidates, keyPredicates, toRead: candidates, indexedBox: undefined };
  }
  const boxes = candidates.map((add) => fileKeyBox(statsOf(add, snapshot.columns, snapshot.partitionColumns), spec.key));
  const indexed: number[] = [];
  // A candidate whose bounds hold no source key holds no match either: it is not read.
  const holdsSourceKey = new Uint8Array(boxes.length);
  const inAnyBox = new Uint8Array(source.numRows);
  boxes.forEach((box, b) => {
    const inside = markRowsInPairBox(box, sourceKeys, source.numRows, inAnyBox);
    if (inside !== undefined) {
      if (inside > 0) holdsSourceKey[b] = 1;
      return;
    }
    for (let i = 0; i < source.numRows; i++) {
      if (!inBox(box, sourceKeys, i)) continue;
      holdsSourceKey[b] = 1;
      inAnyBox[i] = 1;
    }
  });
  for (let i = 0; i < source.numRows; i++) {
    if (inAnyBox[i] === 0) continue;
    sourceIndex.add(sourceKeys, i);
    indexed.push(i);
  }
  return { source, sourceKeys, sourceIndex, candidates, keyPredicates, toRead: candidates.filter((_, b) => holdsSourceKey[b] === 1), indexedBox: rowsKeyBox(sourceKeys, indexed) };
}

/** What matching the stored files found: which source rows matched, and the files rewritten for updates. */
interface MatchOutcome {
  /** 1 for each source row that matched a stored row. */
  matched: Uint8Array;
  matches: number;
  actions: Action[];
  /** Pre- and post-images of the updated rows, for the change data feed (change-data.ts). */
  changes: ChangeRows[];
}

/** Look every stored row of the files to read up among the source keys; a file with an updated row is rewritten whole. */
async function matchStoredRows(store: ObjectStore, snapshot: Snapshot, plan: SourcePlan, spec: MergeSpec, metrics: MergeMetrics, write: (batch: ColumnBatch) => Promise<AddAction[]>): Promise<MatchOutcome> {
  const { source, sourceIndex, indexedBox } = plan;
  const out: MatchOutcome = { matched: new Uint8Array(source.numRows), matches: 0, actions: [], changes: [] };
  for (const add of plan.toRead) {
    const target = spec.knownFiles?.get(add.path) ?? (await readDataFile(store, snapshot, add, snapshot.columns));
    metrics.filesRead++;
    const targetKeys = keyColumns(target, spec.key);
    // The stored rows inside the indexed box, marked in one loop where the key's shape allows.
    const inIndexedBox = indexedBox && new Uint8Array(target.numRows);
    const marked = indexedBox && markRowsInPairBox(indexedBox, targetKeys, target.numRows, inIndexedBox!) !== undefined;
    let replaced: Map<number, Row> | undefined;
    for (let t = 0; t < target.numRows; t++) {
      if (indexedBox && (marked ? inIndexedBox![t] === 0 : !inBox(indexedBox, targetKeys, t))) continue;
      const s = sourceIndex.get(targetKeys, t);
      if (s === undefined) continue;
      if (out.matched[s] === 0) out.matches++;
      out.matched[s] = 1;
      const next = spec.whenMatched?.(rowAt(target, t), rowAt(source, s));
      if (next === undefined) {
        metrics.unchanged++;
      } else {
        (replaced ??= new Map()).set(t, next);
        metrics.updated++;
      }
    }
    if (!replaced) continue;
    const columns = new Map<string, Cell[]>();
    for (const [name, values] of target.columns) {
      const copy = values.slice();
      for (const [t, row] of replaced) copy[t] = row[name] ?? null;
      columns.set(name, copy);
    }
    const rewritten: ColumnBatch = { numRows: target.numRows, columns };
    const adds = await write(rewritten);
    const updatedRows = [...replaced.keys()];
    out.changes.push({ type: 'update_preimage', rows: takeRows(target, updatedRows) }, { type: 'update_postimage', rows: takeRows(rewritten, updatedRows) });
    out.actions.push({ remove: removeOf(add, (spec.now ?? Date.now)()) }, ...adds.map((a) => ({ add: a })));
    metrics.filesRemoved++;
    metrics.filesAdded += adds.length;
  }
  return out;
}

/** The source rows not flagged absent (MergeSpec.absentRows): the ones a merge looks up, with their source row numbers. */
function rowsToLookUp(source: ColumnBatch, absent: Uint8Array): { batch: ColumnBatch; rows: Int32Array } | undefined {
  if (absent.length !== source.numRows) throw new RangeError(`merge: absentRows has ${absent.length} flags for ${source.numRows} source rows`);
  const rows: number[] = [];
  for (let i = 0; i < source.numRows; i++) if (absent[i] !== 1) rows.push(i);
  if (rows.length === source.numRows) return undefined;
  const indices = Int32Array.from(rows);
  return { batch: takeRows(source, indices), rows: indices };
}

/** Flags of the looked-up rows as flags of all source rows (the others 0). */
function spreadFlags(flags: Uint8Array, rows: Int32Array, numRows: number): Uint8Array {
  const out = new Uint8Array(numRows);
  for (let k = 0; k < rows.length; k++) out[rows[k]!] = flags[k]!;
  return out;
}

/** Merge the source batch into the table; see the module comment. */
export async function merge(store: ObjectStore, snapshot: Snapshot, sourceBatch: ColumnBatch, spec: MergeSpec): Promise<MergeResult> {
  const metrics: MergeMetrics = { sourceRows: sourceBatch.numRows, inserted: 0, updated: 0, unchanged: 0, filesRead: 0, filesRemoved: 0, filesAdded: 0 };
  if (txnAlreadyApplied(snapshot, spec.txn)) return { version: snapshot.version, committed: false, snapshot, attempts: 0, metrics };
  const table = snapshot.metadata.name ?? store.url;
  const source = conformBatch(table, snapshot.columns, sourceBatch);
  const lookedUp = spec.absentRows ? rowsToLookUp(source, spec.absentRows) : undefined;
  const plan = planSource(table, snapshot, lookedUp?.batch ?? source, spec);
  const writeOptions: WriteFilesOptions = { ...(spec.targetFileRows ? { targetFileRows: spec.targetFileRows } : {}), ...(spec.now ? { now: spec.now } : {}) };
  const write = (batch: ColumnBatch) =>
    spec.encodeFiles
      ? spec.encodeFiles(batch).then((files) => storeDataFiles(store, snapshot.partitionColumns, files, writeOptions))
      : writeDataFiles(store, table, snapshot.columns, snapshot.partitionColumns, batch, writeOptions);
  const outcome = await matchStoredRows(store, snapshot, plan, spec, metrics, write);
  const { matches, actions, changes } = outcome;
  const matched = lookedUp ? spreadFlags(outcome.matched, lookedUp.rows, source.numRows) : outcome.matched;
  const conflictPredicates = lookedUp ? keyRangePredicates(source, spec.key) : plan.keyPredicates;

  // The source rows no stored row matched: inserted (unless the spec says otherwise).
  let written: MergeResult['written'];
  if ((spec.whenNotMatched ?? 'insert') === 'insert' && matches < source.numRows) {
    const inserts = new Int32Array(source.numRows - matches);
    for (let i = 0, k = 0; i < source.numRows; i++) if (matched[i] === 0) inserts[k++] = i;
    const rows = matches === 0 ? source : takeRows(source, inserts);
    const adds = await write(rows);
    if (adds.length === 1) written = { path: adds[0]!.path, rows };
    actions.push(...adds.map((a) => ({ add: a })));
    metrics.inserted = inserts.length;
    metrics.filesAdded += adds.length;
    changes.push({ type: 'insert', rows });
  }
  for (const cdc of await writeChangeFiles(store, snapshot, changes, writeOptions)) actions.push({ cdc });

  if (actions.length === 0 && !spec.txn) return { version: snapshot.version, committed: false, snapshot, attempts: 0, metrics };
  const readFiles = new Set(plan.candidates.map((c) => c.path));
  const result = await commit(store, {
    readSnapshot: snapshot,
    actions,
    operation: 'MERGE',
    operationParameters: { key: JSON.stringify(spec.key), ...spec.operationParameters },
    operationMetrics: {
      numSourceRows: metrics.sourceRows,
      numTargetRowsInserted: metrics.inserted,
      numTargetRowsUpdated: metrics.updated,
      numTargetFilesAdded: metrics.filesAdded,
      numTargetFilesRemoved: metrics.filesRemoved,
    },
    // A concurrent add could hold one of our keys only if its statistics overlap our key range.
    readSet: { readFiles, readsAdded: (a: AddAction) => source.numRows > 0 && fileMayMatch(a, snapshot.columns, snapshot.partitionColumns, conflictPredicates) },
    ...(spec.txn ? { txn: spec.txn } : {}),
    ...(spec.now ? { now: spec.now } : {}),
  });
  return { ...result, metrics, ...(written && result.committed ? { written } : {}) };
}

/** The remove action retiring an add. */
export function removeOf(add: AddAction, deletionTimestamp: number, dataChange = true) {
  return { path: add.path, deletionTimestamp, dataChange, extendedFileMetadata: true, partitionValues: add.partitionValues, size: add.size };
}
