/** Errors of the Delta table core. */
import { FitlakeError, type FitlakeErrorOptions } from '../../errors.ts';

/** Another writer committed something this transaction depended on; the operation must be redone. */
export class CommitConflictError extends FitlakeError {
  constructor(
    readonly table: string,
    readonly version: number,
    readonly reason: string,
    options?: FitlakeErrorOptions,
  ) {
    // Retriable: re-running the whole operation reads the new state and usually succeeds.
    super(`commit to ${table} conflicts with version ${version}: ${reason}`, true, options);
  }
}

/** Lost the race for the next version more times than allowed. */
export class MaxCommitAttemptsError extends FitlakeError {
  constructor(
    readonly table: string,
    readonly attempts: number,
  ) {
    super(`commit to ${table} lost the race ${attempts} times in a row`, true);
  }
}

/** The table's log is not something this reader can read (newer protocol, missing files, bad JSON). */
export class TableFormatError extends FitlakeError {
  constructor(
    readonly table: string,
    message: string,
    options?: FitlakeErrorOptions,
  ) {
    super(`${table}: ${message}`, false, options);
  }
}

/** Written rows do not match the table's schema (wrong columns, types or nullability). */
export class SchemaMismatchError extends FitlakeError {
  constructor(
    readonly table: string,
    message: string,
    options?: FitlakeErrorOptions,
  ) {
    super(`${table}: ${message}`, false, options);
  }
}

/** A table that does not exist at the location (no `_delta_log/`), or a version that is not there. */
export class TableNotFoundError extends FitlakeError {
  constructor(
    readonly table: string,
    message: string,
  ) {
    super(`${table}: ${message}`, false);
  }
}
