/**
 * A per-file CSV line parser: the first non-blank line is the header (not a record), the others typed
 * records. A quoted field may hold line breaks (RFC 4180): a line that leaves a quote open is joined with
 * the lines after it until the quote closes, and the record is named by its first line. One still open
 * after MAX_RECORD_LINES lines, or at the end of the file, is refused with all of its text.
 */
import type { Cell } from '../../../schema/types.ts';
import { parseCsvHeader, parseCsvLine, requireColumns, type CsvHeader } from '../../parse/csv.ts';
import type { TextLine } from '../../parse/lines.ts';
import type { RowResult } from '../../parse/result.ts';
import type { FileParser, LineOutcome } from '../../kernels/line-range.ts';

/** Lines one record may span (a field with a few line breaks is an address or a note, not a novel). */
export const MAX_RECORD_LINES = 100;

const UNTERMINATED = /^unterminated quote/;

export function csvParser<R extends object>(required: readonly string[], parseRecord: (fields: readonly string[], header: CsvHeader) => RowResult<R>): FileParser {
  let header: CsvHeader | undefined;
  // A header the file cannot be read with: every later line is refused for it, none tried as a header.
  let badHeader: string | undefined;
  // A record whose quoted field is still open: its text so far, its first line, how many lines it has.
  let open: { text: string; first: TextLine; lines: number } | undefined;
  const parseRecordText = (text: string, first: TextLine | undefined): LineOutcome => {
    const fields = parseCsvLine(text);
    if (!fields.ok) return { ok: false, reason: fields.reason, ...(first ? { from: { line: text, lineNumber: first.lineNumber } } : {}) };
    const record = parseRecord(fields.fields, header!);
    if (record.ok) return { ok: true, row: { ...(record.row as Record<string, Cell>) } };
    return { ok: false, reason: record.reason, ...(first ? { from: { line: text, lineNumber: first.lineNumber } } : {}) };
  };
  const parse = (line: TextLine): LineOutcome => {
    if (badHeader) return { ok: false, reason: `the file's header cannot be read: ${badHeader}` };
    if (!header) {
      try {
        const parsed = parseCsvHeader(line.line);
        requireColumns(parsed, required);
        header = parsed;
        return { ok: 'header' };
      } catch (e) {
        // A CsvHeaderError (a required column missing, a repeated one): the header line itself is refused.
        badHeader = (e as Error).message;
        throw e;
      }
    }
    if (open) {
      open.text += `\n${line.line}`;
      open.lines++;
      const joined = open;
      const fields = parseCsvLine(joined.text);
      if (!fields.ok && UNTERMINATED.test(fields.reason) && joined.lines < MAX_RECORD_LINES) return { ok: 'more' };
      open = undefined;
      return parseRecordText(joined.text, joined.first);
    }
    const fields = parseCsvLine(line.line);
    if (!fields.ok && UNTERMINATED.test(fields.reason)) {
      open = { text: line.line, first: line, lines: 1 };
      return { ok: 'more' };
    }
    return parseRecordText(line.line, undefined);
  };
  return Object.assign(parse, {
    end(): LineOutcome | undefined {
      if (!open) return undefined;
      const { text, first } = open;
      open = undefined;
      return { ok: false, reason: `unterminated quote: the record runs to the end of the file`, from: { line: text, lineNumber: first.lineNumber } };
    },
  });
}
