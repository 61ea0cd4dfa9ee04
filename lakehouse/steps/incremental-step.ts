/**
 * The shape shared by every silver and gold step: plan what is new upstream since the step's
 * checkpoints, compute the rows to merge, commit quarantine rows and then the merge together with the
 * new checkpoints. Runs again while a catch-up range (see incremental.ts) left newer upstream data.
 *
 * A step over large inputs computes in chunks (computeChunks) so memory follows the chunk, not the
 * input: every chunk but the final one is merged on its own as soon as it is computed, without
 * checkpoints; the final one is merged with them, after the quarantine rows. Merges are idempotent, so a
 * crash between chunk commits only means the retry merges those chunks again (as unchanged rows): the
 * checkpoint still moves exactly once, with the last commit.
 *
 * While a chunk merges, the next one is computed: merges still run one after the other, each on the
 * table as the one before left it, but a chunk's inserts are encoded on a worker thread (when there are
 * workers) while this thread reads and deduplicates the next chunk's input.
 */
import type { RowOf, TableDef } from '../../schema/types.ts';
import { batchFromRows, toWire, type ColumnBatch, type Row } from '../table/columns/index.ts';
import { quarantineRecords } from '../../schema/tables.ts';
import type { Snapshot } from '../table/log/index.ts';
import { shouldPlanAgain, TargetTransaction } from './target-transaction.ts';
import type { EncodedDataFile } from '../table/files/index.ts';
import type { WorkerPool } from '../threads/pool.ts';
import { checkpointTxns, nothingToRead, planUpstream, type UpstreamRange } from './incremental.ts';
import { QuarantineBuffer } from './quarantine.ts';
import { faultPoint } from '../fault-points.ts';
import type { StepContext, StepResult } from './step.ts';

/** One range per upstream table, in their order, each typed by its table: `ranges: [bronze]` of `upstream: [kafkaMultiplexBz]`. */
export type RangesOf<Up extends readonly TableDef[]> = { -readonly [K in keyof Up]: UpstreamRange<Up[K]> };

export interface ComputeInput<Up extends readonly TableDef[] = readonly TableDef[]> {
  ctx: StepContext;
  /** The step's writes to its target, judged against the snapshot it planned from. */
  target: TargetTransaction;
  /** One range per upstream table, in the order of `upstream`. */
  ranges: RangesOf<Up>;
  quarantine: QuarantineBuffer;
}

export interface ComputeOutput<T extends TableDef = TableDef> {
  /** Rows to merge into the target, unique by the target's key. */
  rows?: RowOf<T>[];
  /** Or the same as columns of the target (no object per row); used when given. */
  batch?: ColumnBatch;
  recordsIn: number;
  duplicates?: number;
  /** Of computeChunks: this is the last chunk (merged with the checkpoints). compute's output always is. */
  final?: boolean;
  /** The step built the rows deduplicated by key, so the merge need not check (see MergeSpec.uniqueSource). */
  uniqueKeys?: boolean;
  /**
   * 1 for each row (in the order of rows or batch) whose key the target cannot hold yet, because every
   * upstream row it comes from arrived after the versions the checkpoints say were read: inserted
   * without a lookup (MergeSpec.absentRows). Only for a step whose deletions this round are its only
   * other commits, never for a chunk whose keys an earlier chunk may have inserted.
   */
  absentRows?: Uint8Array;
}

/** A step from the upstream tables `Up` into table T; rows are typed by their tables' declarations. */
export interface IncrementalSpec<T extends TableDef, Up extends readonly TableDef[]> {
  step: string;
  target: T;
  upstream: Up;
  /** The rows to merge, all at once; a step has this or computeChunks. */
  compute?(input: ComputeInput<Up>): Promise<ComputeOutput<T>>;
  /**
   * The rows to merge in chunks (see the module comment), each unique by key; a key may recur in a
   * later chunk, which then merges over the earlier one through whenMatched like any stored row. The
   * last chunk is marked final; without one, the checkpoints are committed with an empty merge.
   */
  computeChunks?(input: ComputeInput<Up>): AsyncIterable<ComputeOutput<T>>;
  /** Given a stored row and a computed one with the same key: the row to store, or undefined to keep. */
  whenMatched(target: RowOf<T>, source: RowOf<T>): RowOf<T> | undefined;
}

/**
 * Run an incremental step to completion; see the module comment. `upstream` is taken as a tuple (const
 * Up), so that each of compute's ranges is typed by its own table.
 */
export async function runIncremental<T extends TableDef, const Up extends readonly TableDef[]>(ctx: StepContext, spec: IncrementalSpec<T, Up>): Promise<StepResult> {
  const result: StepResult = { step: spec.step, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0, versions: {}, changed: false };
  let conflicts = 0;
  for (let round = 0; round < 100; round++) {
    // The plan: checkpoints read from one snapshot of the target and one of quarantine, taken now; every
    // commit of this round is judged against them (target-transaction.ts).
    const table = await ctx.lake.table(spec.target);
    const target = new TargetTransaction(table, table.snapshot);
    const quarantinePlanned = (await ctx.lake.table(quarantineRecords)).snapshot;
    result.versions[spec.target.name] = target.planned.version;
    const ranges = await planRanges(ctx, spec.step, spec.upstream, target.planned, quarantinePlanned);
    if (nothingToRead(ranges)) break;
    try {
      if (await runRound(ctx, spec, target, ranges, quarantinePlanned, result)) break;
    } catch (e) {
      // Another runner of this step (a manual run beside a scheduled one, a retried attempt whose first
      // is still going) committed since the plan: plan again from what it left.
      if (!shouldPlanAgain(e, conflicts++)) throw e;
      ctx.progress?.({ records: result.recordsIn, detail: `${spec.target.name}: planning again after a concurrent commit (${e.reason})` });
    }
  }
  return result;
}

/** The range of each upstream table, in order (see incremental.ts). */
async function planRanges<Up extends readonly TableDef[]>(ctx: StepContext, step: string, upstream: Up, target: Snapshot, quarantine: Snapshot): Promise<RangesOf<Up>> {
  const ranges: UpstreamRange[] = [];
  for (const def of upstream) ranges.push(await planUpstream(ctx.lake, step, target, quarantine, def));
  // One range per table of `upstream`, in its order: RangesOf<Up>, which a loop cannot show the checker.
  return ranges as RangesOf<Up>;
}

/**
 * The spec's whenMatched over the rows a merge hands it: rows of the target's files and computed rows,
 * both conformed to the target's columns before the merge compares them (merge.ts), so they are rows of
 * the target as its declaration types them.
 */
function whenMatchedOf<T extends TableDef>(spec: IncrementalSpec<T, readonly TableDef[]>): (target: Row, source: Row) => Row | undefined {
  return (target, source) => spec.whenMatched(target as RowOf<T>, source as RowOf<T>);
}

/** One planned round: compute, quarantine, merge with the checkpoints; true when no catch-up is left. */
async function runRound<T extends TableDef, Up extends readonly TableDef[]>(
  ctx: StepContext,
  spec: IncrementalSpec<T, Up>,
  target: TargetTransaction,
  ranges: RangesOf<Up>,
  quarantinePlanned: Snapshot,
  total: StepResult,
): Promise<boolean> {
  // Counted apart and added to the step's result only when the round commits: a round that conflicts
  // is planned again and counted then.
  const result: StepResult = { ...total, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0 };
  const quarantine = new QuarantineBuffer(spec.step, spec.target.name, ctx.now);
  const txn = checkpointTxns(ranges);
  const operationParameters = { step: spec.step, upstream: JSON.stringify(ranges.map((r) => ({ table: r.def.name, from: r.since ?? null, to: r.until }))) };
  // The file the last chunk's inserts went to, with its rows: the next chunk's merge probes it in memory.
  let lastWritten: Map<string, ColumnBatch> | undefined;
  const mergeChunk = async (batch: ColumnBatch, withCheckpoints: boolean, { uniqueKeys: uniqueSource = false, absentRows }: Pick<ComputeOutput, 'uniqueKeys' | 'absentRows'> = {}) => {
    faultPoint(`${spec.target.layer}.merge`, { step: spec.step, table: spec.target.name });
    const encodeFiles = encoderFor(ctx.threads, target, spec.target.name, batch);
    const merged = await target.merge(batch, {
      key: spec.target.primaryKey,
      whenMatched: whenMatchedOf(spec),
      uniqueSource,
      ...(absentRows ? { absentRows } : {}),
      ...(encodeFiles ? { encodeFiles } : {}),
      ...(lastWritten ? { knownFiles: lastWritten } : {}),
      ...(withCheckpoints ? { txn } : {}),
      now: ctx.now,
      operationParameters,
    });
    lastWritten = merged.written ? new Map([[merged.written.path, merged.written.rows]]) : undefined;
    if (merged.committed) {
      result.rowsWritten += merged.metrics.inserted + merged.metrics.updated;
      result.duplicates += merged.metrics.unchanged;
      result.changed ||= merged.metrics.inserted + merged.metrics.updated > 0;
    }
  };
  const input: ComputeInput = { ctx, target, ranges, quarantine };
  let final: { batch: ColumnBatch; out: ComputeOutput<T> } | undefined;
  // The merge of the chunk before, running while the next is computed (see the module comment).
  let merging: Promise<void> | undefined;
  for await (const out of chunksOf(spec, input)) {
    if (final) throw new Error(`step ${spec.step} computed a chunk after its final one`);
    const batch = out.batch ?? batchFromRows(spec.target.columns, out.rows ?? []);
    // Reading and computing can take seconds, and so can the merge: heartbeat between the two.
    ctx.progress?.({ records: result.recordsIn + out.recordsIn, detail: `${spec.target.name}: ${batch.numRows} row(s) to merge` });
    result.recordsIn += out.recordsIn;
    result.duplicates += out.duplicates ?? 0;
    if (out.final) {
      final = { batch, out };
    } else {
      await merging;
      merging = mergeChunk(batch, false, out);
      // Awaited before the next merge or after the last chunk; a failure meanwhile is not unhandled.
      merging.catch(() => undefined);
    }
  }
  await merging;
  const quarantined = quarantine.size;
  await quarantine.flush(ctx.lake, txn, quarantinePlanned);
  await mergeChunk(final?.batch ?? batchFromRows(spec.target.columns, []), true, final?.out);
  result.quarantined += quarantined;
  ctx.progress?.({ records: total.recordsIn + result.recordsIn, detail: `${spec.target.name} v${target.snapshot.version}` });
  total.recordsIn += result.recordsIn;
  total.rowsWritten += result.rowsWritten;
  total.quarantined += result.quarantined;
  total.duplicates += result.duplicates;
  total.changed ||= result.changed;
  total.versions[spec.target.name] = target.snapshot.version;
  return ranges.every((r) => r.latest);
}

/** From this many rows on, a merge's data files are encoded on a worker thread (when there are any). */
const OFF_THREAD_ENCODE_ROWS = 50_000;

/** encodeFiles for a merge of `batch` into `target` on a worker thread, or undefined to encode in-thread. */
function encoderFor(threads: WorkerPool | undefined, target: TargetTransaction, table: string, batch: ColumnBatch): ((rows: ColumnBatch) => Promise<EncodedDataFile[]>) | undefined {
  const pool = batch.numRows >= OFF_THREAD_ENCODE_ROWS ? threads : undefined;
  if (!pool) return undefined;
  const snapshot = target.snapshot;
  return (rows) => {
    // Buffers made for the message are handed over; a column that already was a Float64Array is copied.
    const { wire, made } = toWire(rows);
    return pool.run('encodeDataFiles', { table, columns: [...snapshot.columns], partitionColumns: [...snapshot.partitionColumns], batch: wire }, made);
  };
}

/** The spec's output as chunks: computeChunks, or compute's one output. */
async function* chunksOf<T extends TableDef, Up extends readonly TableDef[]>(spec: IncrementalSpec<T, Up>, input: ComputeInput<Up>): AsyncGenerator<ComputeOutput<T>> {
  if (spec.computeChunks) yield* spec.computeChunks(input);
  else if (spec.compute) yield { ...(await spec.compute(input)), final: true };
  else throw new Error(`step ${spec.step} has neither compute nor computeChunks`);
}
