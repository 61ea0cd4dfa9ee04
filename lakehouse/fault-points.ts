/**
 * Named points in the lakehouse code where a test can inject a failure (a process kill, an exception)
 * to prove that a run interrupted exactly there recovers to the same tables. Without an installed
 * handler a fault point does nothing. Pure: no environment reading; the test fixture that wants faults
 * (test/fixtures/fault-worker.ts) installs the handler itself.
 *
 * Points: `bronze.ingest` (a chunk of a landing file was read), `landing.list` (right before a landing
 * step lists its folder), `commit.before` (right before a Delta commit's put-if-absent), `silver.merge` /
 * `gold.merge` (right before an incremental step's merge).
 */

/** What a point knows about where it is; the handler may use it to pick one table or file. */
export interface FaultDetail {
  /** Table location (commit.before) or landing file key (bronze.ingest). */
  location?: string;
  step?: string;
  table?: string;
}

export type FaultHandler = (name: string, detail: FaultDetail) => void;

let handler: FaultHandler | undefined;

/** Install (or with undefined remove) the handler every fault point calls. */
export function setFaultHandler(fn: FaultHandler | undefined): void {
  handler = fn;
}

/** Mark a fault point; a no-op unless a handler is installed. */
export function faultPoint(name: string, detail?: FaultDetail): void {
  if (handler) handler(name, detail ?? {});
}
