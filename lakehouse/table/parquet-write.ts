import { RecordBatch, Struct, Table, makeData, tableToIPC } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { ColumnDef } from '../../schema/types.ts';
import type { ColumnBatch } from './column-batch.ts';
import { encodeColumn } from './parquet-encode-column.ts';
import { arrowSchemaOf } from './parquet-schema.ts';
import { fileStats } from './parquet-stats.ts';
import type { ParquetFileStats } from './parquet-stats.ts';

export type ParquetCompression = 'snappy' | 'zstd' | 'none';

export interface EncodeOptions {
  /** Page compression; snappy (Delta's default) unless told otherwise. */
  compression?: ParquetCompression;
  /** Maximum rows per row group; default 1,048,576. */
  rowGroupRows?: number;
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

/**
 * Encodes `batch` as one Parquet file with the columns of `columns`, in that order, and returns the
 * file bytes with its Delta statistics (computed while converting, not by a second scan).
 * Synchronous: parquet-wasm's writer is. Throws TypeError/RangeError naming column and row for a cell
 * that the column cannot hold exactly (see encodeColumn).
 */
export function encodeParquet(columns: readonly ColumnDef[], batch: ColumnBatch, options: EncodeOptions = {}): EncodedParquet {
  const rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) throw new RangeError(`rowGroupRows must be a positive integer, got ${rowGroupRows}`);
  const numRows = batch.numRows;
  const encoded = columns.map((column) => {
    const values = batch.columns.get(column.name);
    if (!values) throw new TypeError(`column "${column.name}" is missing from the batch`);
    return encodeColumn(column, values, numRows);
  });

  const schema = arrowSchemaOf(columns);
  const struct = makeData({ type: new Struct(schema.fields), length: numRows, children: encoded.map((e) => e.data) });
  // Arrow IPC is the hand-over format into wasm memory: one copy, no per-value work.
  const ipc = tableToIPC(new Table(new RecordBatch(schema, struct)), 'stream');

  const properties = new parquetWasm.WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression ?? 'snappy'])
    .setMaxRowGroupSize(rowGroupRows)
    .build();
  // writeParquet takes ownership of (and frees) both the table and the properties.
  const bytes = parquetWasm.writeParquet(parquetWasm.Table.fromIPCStream(ipc), properties);
  return { bytes, stats: fileStats(numRows, columns, encoded.map((e) => e.summary)) };
}
