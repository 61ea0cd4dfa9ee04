/**
 * Writing rows as data files of a table: rows are grouped by partition values into Hive-style folders
 * (`topic=bpm/week_part=2023-10/`), cut into files of at most `targetFileRows` rows, encoded as Parquet
 * with statistics, and described by add actions. Nothing is visible until a commit references them; a
 * crash before the commit leaves only unreferenced files, which vacuum removes.
 */
import { randomUUID } from 'node:crypto';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { AddAction } from '../log/actions.ts';
import { sliceRows, takeRows, type ColumnBatch } from '../columns/column-batch.ts';
import { SchemaMismatchError } from '../log/errors.ts';
import { encodeStats } from './file-stats.ts';
import { encodeArrowPart, encodeParquet, encodeParquetParts, type ArrowPart, type EncodeOptions } from '../parquet/write.ts';
import { partitionDirName, keyToUriPath, toPartitionValue } from '../columns/values.ts';

export interface WriteFilesOptions {
  /** Upper bound of rows per data file. @default 1_000_000 */
  targetFileRows?: number;
  /** add.dataChange: false for compaction, which only rearranges rows. @default true */
  dataChange?: boolean;
  /** @default Date.now */
  now?: () => number;
  /** A folder of the table to write into, ahead of the partition folders (`_change_data` for cdc files). */
  folder?: string;
}

/** Check that the batch carries exactly the table's columns; missing nullable columns are filled with null. */
export function conformBatch(table: string, columns: readonly ColumnDef[], batch: ColumnBatch): ColumnBatch {
  const known = new Set(columns.map((c) => c.name));
  for (const name of batch.columns.keys()) {
    if (!known.has(name)) throw new SchemaMismatchError(table, `column ${name} is not in the table schema (${[...known].join(', ')})`);
  }
  const out = new Map<string, readonly Cell[]>();
  for (const column of columns) {
    const values = batch.columns.get(column.name);
    if (values) out.set(column.name, values);
    else if (column.nullable) out.set(column.name, new Array<Cell>(batch.numRows).fill(null));
    else throw new SchemaMismatchError(table, `required column ${column.name} is missing from the written rows`);
  }
  return { numRows: batch.numRows, columns: out };
}

/** Row indices grouped by their partition values (in first-seen order). */
function groupByPartition(columns: readonly ColumnDef[], partitionColumns: readonly string[], batch: ColumnBatch) {
  const groups = new Map<string, { values: Record<string, string | null>; rows: number[] }>();
  const parts = partitionColumns.map((name) => {
    const def = columns.find((c) => c.name === name)!;
    return { name, def, values: batch.columns.get(name)! };
  });
  let group: { values: Record<string, string | null>; rows: number[] } | undefined;
  for (let i = 0; i < batch.numRows; i++) {
    // Rows come in runs of one partition (records in time order): the group key is only worked out
    // when a partition cell differs from the row before.
    let same = group !== undefined;
    for (let c = 0; same && c < parts.length; c++) same = parts[c]!.values[i] === parts[c]!.values[i - 1];
    if (!same) {
      const values: Record<string, string | null> = {};
      for (const p of parts) values[p.name] = toPartitionValue(p.def.type, p.values[i]!);
      const key = JSON.stringify(values);
      group = groups.get(key);
      if (!group) groups.set(key, (group = { values, rows: [] }));
    }
    group!.rows.push(i);
  }
  return [...groups.values()];
}

/** A data file encoded but not yet stored: its partition values, Parquet bytes and add.stats JSON. */
export interface EncodedDataFile {
  partitionValues: Record<string, string | null>;
  bytes: Uint8Array;
  stats: string;
  numRows: number;
}

/**
 * The batch as encoded data files, grouped by partition and cut at targetFileRows, without storing them:
 * the CPU half of writeDataFiles, which a worker thread can do (see storeDataFiles for the other half).
 */
export function encodeDataFiles(table: string, columns: readonly ColumnDef[], partitionColumns: readonly string[], batch: ColumnBatch, targetFileRows = 1_000_000): EncodedDataFile[] {
  if (batch.numRows === 0) return [];
  const conformed = conformBatch(table, columns, batch);
  const dataColumns = columns.filter((c) => !partitionColumns.includes(c.name));
  const groups =
    partitionColumns.length === 0
      ? [{ values: {} as Record<string, string | null>, batch: conformed }]
      : groupByPartition(columns, partitionColumns, conformed).map((g) => ({ values: g.values, batch: g.rows.length === conformed.numRows ? conformed : takeRows(conformed, g.rows) }));
  const files: EncodedDataFile[] = [];
  for (const group of groups) {
    for (let start = 0; start < group.batch.numRows; start += targetFileRows) {
      const chunk = sliceRows(group.batch, start, start + targetFileRows);
      const encoded = asSchemaMismatch(table, () => encodeParquet(dataColumns, chunk));
      files.push({ partitionValues: group.values, bytes: encoded.bytes, stats: encodeStats(dataColumns, encoded.stats), numRows: chunk.numRows });
    }
  }
  return files;
}

/** Store encoded data files under new names in their partition folders; returns their add actions (not yet committed). */
export async function storeDataFiles(store: ObjectStore, partitionColumns: readonly string[], files: readonly EncodedDataFile[], options: WriteFilesOptions = {}): Promise<AddAction[]> {
  const { dataChange = true, now = Date.now } = options;
  const adds: AddAction[] = [];
  for (const file of files) {
    const dir = partitionColumns.map((name) => partitionDirName(name, file.partitionValues[name] ?? null)).join('/');
    const name = `${options.folder ? 'cdc' : 'part'}-${String(adds.length).padStart(5, '0')}-${randomUUID()}.snappy.parquet`;
    const key = [options.folder, dir, name].filter(Boolean).join('/');
    await store.put(key, file.bytes);
    adds.push({ path: keyToUriPath(key), partitionValues: file.partitionValues, size: file.bytes.byteLength, modificationTime: now(), dataChange, stats: file.stats });
  }
  return adds;
}

/** Encode and store the batch as data files; returns their add actions (not yet committed). */
export async function writeDataFiles(
  store: ObjectStore,
  table: string,
  columns: readonly ColumnDef[],
  partitionColumns: readonly string[],
  batch: ColumnBatch,
  options: WriteFilesOptions = {},
): Promise<AddAction[]> {
  return storeDataFiles(store, partitionColumns, encodeDataFiles(table, columns, partitionColumns, batch, options.targetFileRows), options);
}

/** Encoding errors of cells are schema mismatches of the table being written. */
function asSchemaMismatch<T>(table: string, encode: () => T): T {
  try {
    return encode();
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) throw new SchemaMismatchError(table, e.message, { cause: e });
    throw e;
  }
}

/** Arrow parts (rows of one partition, in order) as one encoded data file of the table. */
export function encodePartsAsFile(
  table: string,
  dataColumns: readonly ColumnDef[],
  partitionValues: Record<string, string | null>,
  parts: readonly ArrowPart[],
  options: EncodeOptions = {},
): EncodedDataFile {
  const encoded = asSchemaMismatch(table, () => encodeParquetParts(dataColumns, parts, options));
  return { partitionValues, bytes: encoded.bytes, stats: encodeStats(dataColumns, encoded.stats), numRows: encoded.stats.numRecords };
}

/**
 * Data files encoded from rows that arrive in batches (a landing file streaming in): each batch is
 * grouped by partition and converted to Arrow when appended, so the rows' JS values die young, and
 * encodeFiles() gives each partition's rows so far as Parquet files, as encodeDataFiles would have from
 * all those rows at once (cut at targetFileRows between batches).
 */
export class DataFileEncoder {
  private readonly dataColumns: readonly ColumnDef[];
  private groups = new Map<string, { values: Record<string, string | null>; parts: ArrowPart[]; rows: number }>();
  private pending = 0;

  constructor(
    private readonly table: string,
    private readonly columns: readonly ColumnDef[],
    private readonly partitionColumns: readonly string[],
    private readonly targetFileRows = 1_000_000,
  ) {
    this.dataColumns = columns.filter((c) => !partitionColumns.includes(c.name));
  }

  /** Rows appended since the files were last taken. */
  get rows(): number {
    return this.pending;
  }

  append(batch: ColumnBatch): void {
    if (batch.numRows === 0) return;
    const conformed = conformBatch(this.table, this.columns, batch);
    const groups =
      this.partitionColumns.length === 0
        ? [{ values: {} as Record<string, string | null>, rows: undefined }]
        : groupByPartition(this.columns, this.partitionColumns, conformed);
    for (const g of groups) {
      const rows = g.rows === undefined || g.rows.length === conformed.numRows ? conformed : takeRows(conformed, g.rows);
      const key = JSON.stringify(g.values);
      let group = this.groups.get(key);
      if (!group) this.groups.set(key, (group = { values: g.values, parts: [], rows: 0 }));
      group.parts.push(asSchemaMismatch(this.table, () => encodeArrowPart(this.dataColumns, rows)));
      group.rows += rows.numRows;
    }
    this.pending += conformed.numRows;
  }

  /** The rows appended so far as encoded files (per partition, in order); the encoder starts empty again. */
  encodeFiles(): EncodedDataFile[] {
    const files: EncodedDataFile[] = [];
    const groups = [...this.groups.values()];
    this.groups = new Map();
    this.pending = 0;
    for (const group of groups) {
      let parts: ArrowPart[] = [];
      let rows = 0;
      const encode = () => {
        files.push(encodePartsAsFile(this.table, this.dataColumns, group.values, parts));
        parts = [];
        rows = 0;
      };
      for (const part of group.parts) {
        if (rows > 0 && rows + part.numRows > this.targetFileRows) encode();
        parts.push(part);
        rows += part.numRows;
      }
      if (rows > 0) encode();
    }
    return files;
  }
}

/** A DataFileEncoder whose flush() stores the files; nothing is visible until a commit references them. */
export class DataFileWriter {
  private readonly encoder: DataFileEncoder;

  constructor(
    private readonly store: ObjectStore,
    table: string,
    columns: readonly ColumnDef[],
    private readonly partitionColumns: readonly string[],
    private readonly options: WriteFilesOptions = {},
  ) {
    this.encoder = new DataFileEncoder(table, columns, partitionColumns, options.targetFileRows);
  }

  /** Rows appended since the last flush. */
  get rows(): number {
    return this.encoder.rows;
  }

  append(batch: ColumnBatch): void {
    this.encoder.append(batch);
  }

  /** Store the rows appended so far as data files; returns their add actions. */
  flush(): Promise<AddAction[]> {
    return storeDataFiles(this.store, this.partitionColumns, this.encoder.encodeFiles(), this.options);
  }
}
