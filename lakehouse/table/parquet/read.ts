import { tableFromIPC } from 'apache-arrow';
import type { RecordBatch, Schema } from 'apache-arrow';
import * as parquetWasm from 'parquet-wasm';
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import { numberColumn, type ColumnBatch } from '../columns/column-batch.ts';
import { decodeColumn, decodeNumbers } from './decode-column.ts';

/** What a file's footer says, without decoding any page. */
export interface ParquetFooter {
  numRows: number;
  numRowGroups: number;
  /** Top-level fields in file order, with the Arrow type arrow-rs maps them to (e.g. `Int64`). */
  fields: { name: string; nullable: boolean; arrowType: string }[];
}

interface OpenFile {
  file: parquetWasm.ParquetFile;
  numRows: number;
  numRowGroups: number;
  largestRowGroup: number;
  schema: Schema;
}

// ParquetFile reads byte ranges on demand from a Blob, so only the footer and the column chunks that
// are asked for get copied into wasm memory and decoded. (parquet-wasm's one-shot readParquet ignores
// its `columns` option and decodes every column.)
async function openFile(bytes: Uint8Array): Promise<OpenFile> {
  // Our bytes never live in a SharedArrayBuffer; the cast satisfies lib typings that insist on it.
  const file = await parquetWasm.ParquetFile.fromFile(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  try {
    const metadata = file.metadata();
    const fileMetadata = metadata.fileMetadata();
    const rowGroups = metadata.rowGroups();
    const open = {
      file,
      numRows: fileMetadata.numRows(),
      numRowGroups: rowGroups.length,
      largestRowGroup: Math.max(1, ...rowGroups.map((g) => g.numRows())),
      schema: tableFromIPC(file.schema().intoIPCStream()).schema,
    };
    // wasm-side objects are not garbage collected promptly; free them as soon as they are read.
    for (const g of rowGroups) g.free();
    fileMetadata.free();
    metadata.free();
    return open;
  } catch (error) {
    file.free();
    throw error;
  }
}

/** Row count, row groups and top-level fields of a Parquet file, read from its footer only. */
export async function readParquetFooter(bytes: Uint8Array): Promise<ParquetFooter> {
  const open = await openFile(bytes);
  open.file.free();
  return {
    numRows: open.numRows,
    numRowGroups: open.numRowGroups,
    fields: open.schema.fields.map((f) => ({ name: f.name, nullable: f.nullable, arrowType: String(f.type) })),
  };
}

/**
 * The names of the requested columns the file has (once each); TypeError for a requested non-nullable
 * column it lacks, since Delta only ever adds nullable columns (those come back all null).
 */
function presentColumns(open: OpenFile, columns: readonly ColumnDef[]): string[] {
  const inFile = new Set(open.schema.fields.map((f) => f.name));
  for (const column of columns) {
    if (!inFile.has(column.name) && !column.nullable) {
      throw new TypeError(`column "${column.name}" is not in the file and is not nullable, so it cannot be filled with nulls`);
    }
  }
  return [...new Set(columns.filter((c) => inFile.has(c.name)).map((c) => c.name))];
}

/**
 * Decodes the requested `columns` of a Parquet file (and no others) into a ColumnBatch in the
 * in-memory representation of schema/types.ts, keyed in the order of `columns`. A nullable column
 * absent from the file (added to the table after the file was written) comes back all null; an
 * absent non-nullable column is a TypeError, since Delta only ever adds nullable columns. Values that
 * cannot be represented exactly throw RangeError naming the column (see decodeColumn).
 */
export async function decodeParquet(bytes: Uint8Array, columns: readonly ColumnDef[]): Promise<ColumnBatch> {
  const open = await openFile(bytes);
  try {
    const present = presentColumns(open, columns);

    const table =
      present.length === 0
        ? undefined
        : // One batch per row group: the conversion loops then run over few, long arrays.
          tableFromIPC((await open.file.read({ columns: present, batchSize: open.largestRowGroup })).intoIPCStream());
    const numRows = open.numRows;
    const out = new Map<string, Cell[]>();
    for (const column of columns) {
      const vector = table?.getChild(column.name);
      out.set(column.name, vector ? decodeColumn(column, vector, numRows) : new Array<Cell>(numRows).fill(null));
    }
    return { numRows, columns: out };
  } finally {
    open.file.free();
  }
}

/**
 * The requested `columns` of a Parquet file (and no others) as Arrow record batches of at most
 * `batchRows` rows, in file order, with no JS value made: for readers that work on Arrow's buffers
 * (decodeParquetBatches converts them). A column absent from the file is absent from the batches (a
 * non-nullable one is a TypeError, since Delta only ever adds nullable columns); `batches` is empty
 * when no requested column is in the file.
 */
export async function readArrowBatches(bytes: Uint8Array, columns: readonly ColumnDef[], batchRows: number): Promise<{ numRows: number; batches: RecordBatch[] }> {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) throw new RangeError(`batchRows must be a positive integer, got ${batchRows}`);
  const open = await openFile(bytes);
  try {
    const present = presentColumns(open, columns);
    if (present.length === 0) return { numRows: open.numRows, batches: [] };
    return { numRows: open.numRows, batches: tableFromIPC((await open.file.read({ columns: present, batchSize: batchRows })).intoIPCStream()).batches };
  } finally {
    open.file.free();
  }
}

/**
 * decodeParquet in batches of at most `batchRows` rows, in file order: the caller works through a
 * large file a slice at a time, so the JS values of a slice (strings above all) die before the next
 * slice is made. Only the file's compact Arrow buffers are held meanwhile.
 */
export async function* decodeParquetBatches(
  bytes: Uint8Array,
  columns: readonly ColumnDef[],
  batchRows: number,
  options: {
    /** Columns of numbers without a null in a batch come as Float64Arrays (numberColumn), for a reader that only reads them. */
    numberArrays?: boolean;
  } = {},
): AsyncGenerator<ColumnBatch> {
  const { numRows, batches } = await readArrowBatches(bytes, columns, batchRows);
  if (batches.length === 0) {
    for (let start = 0; start < numRows; start += batchRows) {
      const rows = Math.min(batchRows, numRows - start);
      yield { numRows: rows, columns: new Map(columns.map((c) => [c.name, new Array<Cell>(rows).fill(null)])) };
    }
    return;
  }
  for (const batch of batches) {
    const out = new Map<string, readonly Cell[]>();
    for (const column of columns) {
      const vector = batch.getChild(column.name);
      const numbers = vector && options.numberArrays ? decodeNumbers(column, vector, batch.numRows) : undefined;
      out.set(column.name, numbers ? numberColumn(numbers) : vector ? decodeColumn(column, vector, batch.numRows) : new Array<Cell>(batch.numRows).fill(null));
    }
    yield { numRows: batch.numRows, columns: out };
  }
}
