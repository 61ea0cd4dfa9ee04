/** A per-file CSV line parser: the first non-blank line is the header (not a record), the others typed records. */
import type { Cell } from '../../../schema/types.ts';
import { parseCsvHeader, parseCsvLine, requireColumns, type CsvHeader } from '../../parse/csv.ts';
import type { RowResult } from '../../parse/result.ts';
import type { FileParser } from './landing-files.ts';

export function csvParser<R extends object>(required: readonly string[], parseRecord: (fields: readonly string[], header: CsvHeader) => RowResult<R>): FileParser {
  let header: CsvHeader | undefined;
  return (line) => {
    if (!header) {
      // Throws CsvHeaderError (a file-level problem) when a required column is missing.
      const parsed = parseCsvHeader(line.line);
      requireColumns(parsed, required);
      header = parsed;
      return { ok: 'header' };
    }
    const fields = parseCsvLine(line.line);
    if (!fields.ok) return { ok: false, reason: fields.reason };
    const record = parseRecord(fields.fields, header);
    return record.ok ? { ok: true, row: { ...(record.row as Record<string, Cell>) } } : { ok: false, reason: record.reason };
  };
}
