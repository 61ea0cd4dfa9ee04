/**
 * The outcome of parsing one source record. Parsers never throw for a bad record: the step keeps the
 * good rows and sends the failures, with their reason, to quarantine. Only a file-level problem (a CSV
 * header without a required column) is thrown, since then no record of the file can be read.
 */

/** A record that could not be parsed, with a short human reason such as `expected 4 fields, got 3`. */
export interface ParseFailure {
  readonly ok: false;
  readonly reason: string;
}

/** A parsed row, or why there is none. */
export type RowResult<T> = { readonly ok: true; readonly row: T } | ParseFailure;

/** A failure with the given reason. */
export function fail(reason: string): ParseFailure {
  return { ok: false, reason };
}
