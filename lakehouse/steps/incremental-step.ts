/**
 * The shape shared by every silver and gold step: plan what is new upstream since the step's
 * checkpoints, compute the rows to merge, commit quarantine rows and then the merge together with the
 * new checkpoints. Runs again while a catch-up range (see incremental.ts) left newer upstream data.
 */
import type { TableDef } from '../../schema/types.ts';
import { batchFromRows } from '../table/column-batch.ts';
import type { DeltaTable } from '../table/delta-table.ts';
import type { Row } from '../table/operations/merge.ts';
import { checkpointTxns, nothingToRead, planUpstream, type UpstreamRange } from './incremental.ts';
import { QuarantineBuffer } from './quarantine.ts';
import type { StepContext, StepResult } from './step.ts';

export interface ComputeInput {
  ctx: StepContext;
  target: DeltaTable;
  /** One range per upstream table, in the order of `upstream`. */
  ranges: UpstreamRange[];
  quarantine: QuarantineBuffer;
}

export interface ComputeOutput {
  /** Rows to merge into the target, unique by the target's key. */
  rows: Row[];
  recordsIn: number;
  duplicates?: number;
}

export interface IncrementalSpec {
  step: string;
  target: TableDef;
  upstream: readonly TableDef[];
  compute(input: ComputeInput): Promise<ComputeOutput>;
  /** Given a stored row and a computed one with the same key: the row to store, or undefined to keep. */
  whenMatched(target: Row, source: Row): Row | undefined;
}

/** Run an incremental step to completion; see the module comment. */
export async function runIncremental(ctx: StepContext, spec: IncrementalSpec): Promise<StepResult> {
  const result: StepResult = { step: spec.step, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: {}, changed: false };
  for (let round = 0; round < 100; round++) {
    const target = await ctx.lake.table(spec.target);
    result.versions[spec.target.name] = target.version;
    const ranges: UpstreamRange[] = [];
    for (const def of spec.upstream) ranges.push(await planUpstream(ctx.lake, spec.step, target, def));
    if (nothingToRead(ranges)) break;
    const quarantine = new QuarantineBuffer(spec.step, spec.target.name, ctx.now);
    const out = await spec.compute({ ctx, target, ranges, quarantine });
    const txn = checkpointTxns(ranges);
    result.recordsIn += out.recordsIn;
    result.duplicates += out.duplicates ?? 0;
    result.quarantined += quarantine.size;
    await quarantine.flush(ctx.lake, txn);
    const merged = await target.merge(batchFromRows(spec.target.columns, out.rows), {
      key: spec.target.primaryKey,
      whenMatched: spec.whenMatched,
      txn,
      now: ctx.now,
      operationParameters: { step: spec.step, upstream: JSON.stringify(ranges.map((r) => ({ table: r.def.name, from: r.since ?? null, to: r.until }))) },
    });
    if (merged.committed) {
      result.rowsWritten += merged.metrics.inserted + merged.metrics.updated;
      result.duplicates += merged.metrics.unchanged;
      result.changed ||= merged.metrics.inserted + merged.metrics.updated > 0;
    }
    result.versions[spec.target.name] = target.version;
    ctx.progress?.({ records: result.recordsIn, detail: `${spec.target.name} v${target.version}` });
    if (ranges.every((r) => r.latest)) break;
  }
  return result;
}
