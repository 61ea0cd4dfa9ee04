/**
 * Text lines of a landing file into bronze rows: the outcome of a line (a row, or a reason to
 * quarantine it), the parser of one file, and parseLineRange, which turns a part of a file (whole lines)
 * into encoded data files, on a worker thread (threads/tasks.ts) or in-thread. No I/O: bytes in, bytes out.
 */
import type { Cell, ColumnDef } from '../../schema/types.ts';
import { eachLineOfRange, type TextLine } from '../parse/lines.ts';
import { DataFileEncoder, type EncodedDataFile } from '../table/files/index.ts';

/**
 * The outcome of parsing one line: a bronze row (without load columns) or a reason to quarantine it.
 * A row may also come as `values`, one per column of the target in its order (load columns included,
 * as placeholders): no object with a property per column for a source of millions of lines.
 */
export type LineOutcome =
  | { ok: true; row: Record<string, Cell> }
  | { ok: true; values: Cell[] }
  /** Refused; a record of several lines (a quoted CSV field with line breaks) names its first line and text. */
  | { ok: false; reason: string; from?: TextLine }
  | { ok: 'header' }
  /** The line continues a record on the next line (an open quoted CSV field). */
  | { ok: 'more' };

/** A parser for one file: created per file so CSV parsers can hold the header. */
export type FileParser = ((line: TextLine) => LineOutcome) & {
  /** At the end of the file: the outcome of a record still open (an unterminated quoted field), if any. */
  end?(): LineOutcome | undefined;
};

/** A part of a landing file (whole lines) to parse into data files of the target. */
export interface RangeInput {
  bytes: Uint8Array;
  fileKey: string;
  /** True for the file's first part (a byte-order mark is dropped there). */
  atFileStart: boolean;
  loadTime: number;
  table: string;
  /** The target's declared columns (the order parsers give values in). */
  declared: string[];
  /** The table's columns and partition columns, for writing. */
  columns: ColumnDef[];
  partitionColumns: string[];
}

export interface RangeOutput {
  files: EncodedDataFile[];
  /** Refused lines, numbered from 1 at the part's first line. */
  quarantine: { line: number; raw: string; reason: string }[];
  recordsIn: number;
  rows: number;
  /** Lines in the part, blank ones included. */
  lines: number;
}

/** Parsed rows column by column, in the target's declared column order, with the load columns set. */
export class RowCollector {
  private readonly loadColumn: number;
  private readonly sourceColumn: number;
  columns: Cell[][];
  rows = 0;
  recordsIn = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly loadTime: number,
    private readonly fileKey: string,
  ) {
    this.loadColumn = names.indexOf('load_time');
    this.sourceColumn = names.indexOf('source_file');
    this.columns = names.map(() => []);
  }

  /** Take a line's outcome: its row into the columns, or its reason to `refuse`. */
  take(outcome: LineOutcome, refuse: (reason: string) => void): void {
    if (outcome.ok === 'header' || outcome.ok === 'more') return;
    this.recordsIn++;
    if (!outcome.ok) {
      refuse(outcome.reason);
      return;
    }
    const names = this.names;
    if ('values' in outcome) {
      const values = outcome.values;
      values[this.loadColumn] = this.loadTime;
      values[this.sourceColumn] = this.fileKey;
      for (let c = 0; c < names.length; c++) this.columns[c]!.push(values[c] ?? null);
    } else {
      const row = outcome.row;
      row.load_time = this.loadTime;
      row.source_file = this.fileKey;
      for (let c = 0; c < names.length; c++) this.columns[c]!.push(row[names[c]!] ?? null);
    }
    this.rows++;
  }

  /** The rows taken since the last call, as a batch. */
  takeBatch(): { numRows: number; columns: Map<string, Cell[]> } {
    const batch = { numRows: this.columns[0]?.length ?? 0, columns: new Map(this.names.map((name, c) => [name, this.columns[c]!])) };
    this.columns = this.names.map(() => []);
    return batch;
  }
}

/** A line's outcome, a parser that throws counting as a refusal with its message. */
export function parseLine(parse: FileParser, line: TextLine): LineOutcome {
  try {
    return parse(line);
  } catch (e) {
    // A parser that throws mid-file (a bad header line) rejects the rest of the file line by line.
    return { ok: false, reason: (e as Error).message };
  }
}

/** Rows of a part converted to Arrow at a time. */
const PART_BATCH_ROWS = 16_384;

/** Parse a part of a landing file into encoded data files (on a worker thread); see RangeInput. */
export function parseLineRange(input: RangeInput, parse: FileParser): { output: RangeOutput; transfer: ArrayBuffer[] } {
  // The part holds whole lines, so decoding it alone gives the text decoding the whole file gives.
  const text = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength).toString('utf8');
  const collector = new RowCollector(input.declared, input.loadTime, input.fileKey);
  // Rows go to Arrow every few thousand lines, so the strings of a line die before the part is done.
  const encoder = new DataFileEncoder(input.table, input.columns, input.partitionColumns);
  const quarantine: RangeOutput['quarantine'] = [];
  let taken = 0;
  const nextLineNumber = eachLineOfRange(text, 1, input.atFileStart, (line) => {
    collector.take(parseLine(parse, line), (reason) => quarantine.push({ line: line.lineNumber, raw: line.line, reason }));
    if (collector.rows - taken >= PART_BATCH_ROWS) {
      taken = collector.rows;
      encoder.append(collector.takeBatch());
    }
  });
  encoder.append(collector.takeBatch());
  // One file per partition: a part has fewer rows than a file may hold.
  const files = encoder.encodeFiles();
  return {
    output: { files, quarantine, recordsIn: collector.recordsIn, rows: collector.rows, lines: nextLineNumber - 1 },
    transfer: files.map((f) => f.bytes.buffer as ArrayBuffer),
  };
}
