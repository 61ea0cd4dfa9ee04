import { RecordBatch, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import type { Data } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { ColumnDef } from '../../../schema/types.ts';
import type { ColumnBatch } from '../columns/column-batch.ts';
import { encodeColumn } from './encode-column.ts';
import { arrowSchemaOf } from './schema.ts';
import { fileStats, type ColumnSummary, type ParquetFileStats } from './stats.ts';
import { stringLess } from '../columns/values.ts';

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

export interface EncodeOptions {
  /** Page compression; snappy (Delta's default) unless told otherwise. */
  compression?: ParquetCompression;
  /** Maximum rows per row group; default 1,048,576. */
  rowGroupRows?: number;
  /**
   * Whether the file holds Parquet column statistics (min/max per row group and page); default true.
   * Delta's add.stats carry each file's bounds either way. Computing them is about a quarter of writing
   * a file of raw payloads, which no reader filters inside a file (see kafka-dump-part.ts).
   */
  statistics?: boolean;
  /**
   * Integer columns to write delta-encoded (DELTA_BINARY_PACKED) instead of plainly: for values that
   * rise steadily, such as offsets and times, the file is smaller (a dump part's by ~15%) for the same
   * cost. Every Parquet reader a Delta table meets (Spark 3.3+, delta-rs, pyarrow) reads it.
   */
  deltaEncoded?: readonly string[];
}

export interface EncodedParquet {
  bytes: Uint8Array;
  stats: ParquetFileStats;
}

const DEFAULT_ROW_GROUP_ROWS = 1 << 20;

const CODECS: Record<ParquetCompression, parquetWasm.Compression> = {
  snappy: parquetWasm.Compression.SNAPPY,
  zstd: parquetWasm.Compression.ZSTD,
  none: parquetWasm.Compression.UNCOMPRESSED,
};

/** Rows from which a column's dictionary encoding is judged on a sample (smaller files keep the default). */
const DICTIONARY_SAMPLE = 1024;

/**
 * Whether dictionary encoding pays for a column of `numRows` values, `valueAt(i)` giving the i-th: not
 * when most of an evenly spaced sample of its values are distinct (payloads, offsets, timestamps). The
 * writer would build a dictionary for such a column only to give it up, which costs more than the rest
 * of encoding it; the file holds the same values.
 */
export function dictionaryPays(valueAt: (row: number) => unknown, numRows: number): boolean {
  if (numRows < 2 * DICTIONARY_SAMPLE) return true;
  const seen = new Set<unknown>();
  const step = numRows / DICTIONARY_SAMPLE;
  for (let k = 0; k < DICTIONARY_SAMPLE; k++) seen.add(valueAt(Math.floor(k * step)));
  return seen.size <= DICTIONARY_SAMPLE / 2;
}

/** Rows converted to Arrow columns (one part of a file to be): see encodeArrowPart. */
export interface ArrowPart {
  numRows: number;
  /** One Arrow array per column, in the order of the columns it was encoded for. */
  data: Data[];
  summaries: ColumnSummary[];
  /** Per column: whether dictionary encoding pays (see dictionaryPays), judged on this part. */
  dictionary: boolean[];
}

/**
 * Converts `batch` to Arrow arrays for the columns of `columns`, in that order, with each column's
 * statistics. Throws TypeError/RangeError naming column and row for a cell that the column cannot hold
 * exactly (see encodeColumn). The arrays hold no JS values: a writer that keeps parts until it has a
 * file's worth keeps compact buffers, not millions of strings for the garbage collector to move.
 */
export function encodeArrowPart(columns: readonly ColumnDef[], batch: ColumnBatch): ArrowPart {
  const numRows = batch.numRows;
  const encoded = columns.map((column) => {
    const values = batch.columns.get(column.name);
    if (!values) throw new TypeError(`column "${column.name}" is missing from the batch`);
    return encodeColumn(column, values, numRows);
  });
  return {
    numRows,
    data: encoded.map((e) => e.data),
    summaries: encoded.map((e) => e.summary),
    dictionary: columns.map((column) => {
      const values = batch.columns.get(column.name)!;
      return dictionaryPays((row) => values[row], numRows);
    }),
  };
}

/** The smaller (or, with `larger`, the larger) of two statistics bounds, in the order Delta compares them. */
function bound(a: string | number | undefined, b: string | number | undefined, larger: boolean): string | number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const less = typeof a === 'string' && typeof b === 'string' ? stringLess(a, b) : a < b;
  return less === larger ? b : a;
}

/**
 * Encodes Arrow parts (each from encodeArrowPart for these `columns`) as one Parquet file, their rows in
 * order, and returns the file bytes with its Delta statistics (merged from the parts').
 * Synchronous: parquet-wasm's writer is.
 */
export function encodeParquetParts(columns: readonly ColumnDef[], parts: readonly ArrowPart[], options: EncodeOptions = {}): EncodedParquet {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError(`rowGroupRows must be a positive integer, got ${rowGroupRows}`);
  const schema = arrowSchemaOf(columns);
  const batches = parts.map((part) => new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: part.numRows, children: part.data })));
  // Arrow IPC is the hand-over format into wasm memory: one copy, no per-value work.
  const ipc = tableToIPC(batches.length > 0 ? new Table(batches) : new Table(schema), 'stream');

  let builder = new parquetWasm.WriterPropertiesBuilder().setCompression(CODECS[options.compression ?? 'snappy']).setMaxRowGroupSize(rowGroupRows);
  if (options.statistics === false) builder = builder.setStatisticsEnabled(parquetWasm.EnabledStatistics.None);
  columns.forEach((column, c) => {
    if (parts.length > 0 && !parts[0]!.dictionary[c]) builder = builder.setColumnDictionaryEnabled(column.name, false);
  });
  for (const name of options.deltaEncoded ?? []) {
    const column = columns.find((c) => c.name === name);
    if (!column || !['long', 'timestamp', 'integer', 'date'].includes(column.type)) throw new TypeError(`deltaEncoded: "${name}" is not an integer column of the file`);
    // The encoding applies when a column is not dictionary-encoded (or its dictionary overflows).
    builder = builder.setColumnDictionaryEnabled(name, false).setColumnEncoding(name, parquetWasm.Encoding.DELTA_BINARY_PACKED);
  }
  const properties = builder.build();
  // writeParquet takes ownership of (and frees) both the table and the properties.
  const bytes = parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(ipc), properties);
  const summaries = columns.map((_, c): ColumnSummary => {
    let nullCount = 0;
    let min: string | number | undefined;
    let max: string | number | undefined;
    for (const part of parts) {
      const summary = part.summaries[c]!;
      nullCount += summary.nullCount;
      min = bound(min, summary.min, false);
      max = bound(max, summary.max, true);
    }
    return { nullCount, min, max };
  });
  const numRows = parts.reduce((n, part) => n + part.numRows, 0);
  return { bytes, stats: fileStats(numRows, columns, summaries) };
}

/**
 * Encodes `batch` as one Parquet file with the columns of `columns`, in that order, and returns the
 * file bytes with its Delta statistics (computed while converting, not by a second scan).
 * Synchronous: parquet-wasm's writer is. Throws TypeError/RangeError naming column and row for a cell
 * that the column cannot hold exactly (see encodeColumn).
 */
export function encodeParquet(columns: readonly ColumnDef[], batch: ColumnBatch, options: EncodeOptions = {}): EncodedParquet {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError(`rowGroupRows must be a positive integer, got ${rowGroupRows}`);
  return encodeParquetParts(columns, [encodeArrowPart(columns, batch)], options);
}
