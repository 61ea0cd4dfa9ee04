/**
 * Reading a snapshot: the files that may hold matching rows (pruned by partition values and statistics),
 * each decoded with only the requested columns, partition columns filled in from the add action, rows
 * filtered by the predicates. One file at a time, so memory follows the file size, not the table size.
 */
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { AddAction } from '../log/actions.ts';
import { takeRows, type ColumnBatch } from '../columns/column-batch.ts';
import { TableFormatError } from '../log/errors.ts';
import { decodeParquet, decodeParquetBatches } from '../parquet/read.ts';
import { fileMayMatch, matchingRows, type Predicate } from './predicate.ts';
import type { Snapshot } from '../log/snapshot.ts';
import { fromPartitionValue, uriPathToKey } from '../columns/values.ts';
import { NotFoundError } from '../../errors.ts';

export interface ScanOptions {
  /** Columns to return. @default all */
  columns?: readonly string[];
  predicates?: readonly Predicate[];
  /** Scan these files instead of the snapshot's (they must belong to it). */
  files?: readonly AddAction[];
  /** Yield a large file in batches of at most this many rows (default: one batch per file). */
  batchRows?: number;
  /**
   * With batchRows: columns of numbers without nulls come as Float64Arrays (see numberColumn), for a
   * reader that only reads the batches (see decodeParquetBatches).
   */
  numberArrays?: boolean;
}

/** The files of a snapshot that may hold rows matching the predicates. */
export function pruneFiles(snapshot: Snapshot, predicates: readonly Predicate[] = []): AddAction[] {
  const out: AddAction[] = [];
  for (const add of snapshot.files.values()) if (fileMayMatch(add, snapshot.columns, snapshot.partitionColumns, predicates)) out.push(add);
  return out;
}

/** The bytes of a data file of the snapshot. */
export async function dataFileBytes(store: ObjectStore, snapshot: Snapshot, add: AddAction): Promise<Uint8Array> {
  const key = uriPathToKey(add.path);
  try {
    return await store.get(key);
  } catch (e) {
    if (e instanceof NotFoundError) throw new TableFormatError(snapshot.location, `data file ${key} of version ${snapshot.version} is missing`, { cause: e });
    throw e;
  }
}

/** Decode one data file into the requested columns (partition columns from its add action). */
export async function readDataFile(store: ObjectStore, snapshot: Snapshot, add: AddAction, columns: readonly ColumnDef[]): Promise<ColumnBatch> {
  const bytes = await dataFileBytes(store, snapshot, add);
  const dataColumns = columns.filter((c) => !snapshot.partitionColumns.includes(c.name));
  return withPartitionColumns(snapshot, add, columns, await decodeParquet(bytes, dataColumns));
}

/** readDataFile in slices of at most `batchRows` rows (see decodeParquetBatches). */
export async function* readDataFileBatches(store: ObjectStore, snapshot: Snapshot, add: AddAction, columns: readonly ColumnDef[], batchRows: number, numberArrays = false): AsyncGenerator<ColumnBatch> {
  const bytes = await dataFileBytes(store, snapshot, add);
  const dataColumns = columns.filter((c) => !snapshot.partitionColumns.includes(c.name));
  for await (const decoded of decodeParquetBatches(bytes, dataColumns, batchRows, { numberArrays })) yield withPartitionColumns(snapshot, add, columns, decoded);
}

/** A decoded batch of a file's data columns with its partition columns added, in the order of `columns`. */
function withPartitionColumns(snapshot: Snapshot, add: AddAction, columns: readonly ColumnDef[], decoded: ColumnBatch): ColumnBatch {
  if (!columns.some((c) => snapshot.partitionColumns.includes(c.name))) return decoded;
  const out = new Map<string, readonly Cell[]>();
  for (const column of columns) {
    if (snapshot.partitionColumns.includes(column.name)) {
      const value = fromPartitionValue(column.type, add.partitionValues[column.name]);
      out.set(column.name, new Array<Cell>(decoded.numRows).fill(value));
    } else {
      out.set(column.name, decoded.columns.get(column.name)!);
    }
  }
  return { numRows: decoded.numRows, columns: out };
}

/** Resolve column names against the snapshot's schema. */
export function resolveColumns(snapshot: Snapshot, names: readonly string[] | undefined): ColumnDef[] {
  if (!names) return [...snapshot.columns];
  return names.map((name) => {
    const def = snapshot.columns.find((c) => c.name === name);
    if (!def) throw new TableFormatError(snapshot.location, `no column ${name} (columns: ${snapshot.columns.map((c) => c.name).join(', ')})`);
    return def;
  });
}

/** Batches of matching rows, one per data file that has any. */
export async function* scanSnapshot(store: ObjectStore, snapshot: Snapshot, options: ScanOptions = {}): AsyncGenerator<ColumnBatch> {
  const predicates = options.predicates ?? [];
  const wanted = resolveColumns(snapshot, options.columns);
  // Predicate columns are read too, then dropped if not asked for.
  const needed = resolveColumns(snapshot, [...new Set([...wanted.map((c) => c.name), ...predicates.map((p) => p.column)])]);
  const files = options.files ? options.files.filter((f) => fileMayMatch(f, snapshot.columns, snapshot.partitionColumns, predicates)) : pruneFiles(snapshot, predicates);
  for (const add of files) {
    const batches = options.batchRows === undefined ? [await readDataFile(store, snapshot, add, needed)] : readDataFileBatches(store, snapshot, add, needed, options.batchRows, options.numberArrays);
    for await (const batch of batches) yield* selectRows(batch, predicates, needed, wanted);
  }
}

/** The rows of a decoded batch that match the predicates, in the wanted columns (nothing when none match). */
function* selectRows(batch: ColumnBatch, predicates: readonly Predicate[], needed: readonly ColumnDef[], wanted: readonly ColumnDef[]): Generator<ColumnBatch> {
  const rows = predicates.length === 0 ? undefined : matchingRows(batch, predicates);
  // A file whose rows all match (a partition predicate, a range around the whole file) is not copied.
  const selected = rows === undefined || rows.length === batch.numRows ? batch : takeRows(batch, rows);
  if (selected.numRows === 0) return;
  if (needed.length === wanted.length) {
    yield selected;
  } else {
    const out = new Map<string, readonly Cell[]>();
    for (const c of wanted) out.set(c.name, selected.columns.get(c.name)!);
    yield { numRows: selected.numRows, columns: out };
  }
}

/**
 * Live files added after `sinceVersion` (all live files when undefined): where an incremental reader
 * finds every row that changed since its checkpoint. A merge rewrites whole files, so these files may
 * also hold rows that did not change; readers downstream merge idempotently.
 */
export function filesAddedSince(snapshot: Snapshot, sinceVersion: number | undefined): AddAction[] {
  const out: AddAction[] = [];
  for (const [path, add] of snapshot.files) {
    if (sinceVersion === undefined || snapshot.fileVersions.get(path)! > sinceVersion) out.push(add);
  }
  return out;
}
