/**
 * A step's writes to its target table, all judged against the snapshot the step planned from.
 *
 * The step reads its checkpoints in one snapshot of the target; every commit it then makes (deletes,
 * chunk merges, the final merge with the new checkpoints) starts from that snapshot or from the step's
 * own previous commit, never from a snapshot refreshed in between (the Lake's table objects are shared
 * by every activity of a worker, and another step's refresh moves them). So each commit is checked
 * against every commit another runner made since the plan, and a second runner of the same step either
 * finds its range committed (a no-op) or conflicts and plans again; it never writes its range twice.
 */
import type { ColumnBatch } from '../table/columns/index.ts';
import { CommitConflictError, type Snapshot } from '../table/log/index.ts';
import type { DeltaTable } from '../table/index.ts';
import type { DeleteResult, DeleteSpec, MergeResult, MergeSpec } from '../table/operations/index.ts';

export class TargetTransaction {
  private current: Snapshot;

  constructor(
    readonly table: DeltaTable,
    /** The snapshot the step read its checkpoints from. */
    readonly planned: Snapshot,
  ) {
    this.current = planned;
  }

  /** The planned snapshot with this transaction's own commits so far. */
  get snapshot(): Snapshot {
    return this.current;
  }

  async deleteRows(spec: DeleteSpec): Promise<DeleteResult> {
    return this.advance(await this.table.deleteRows(spec, this.current));
  }

  async merge(source: ColumnBatch, spec: MergeSpec): Promise<MergeResult> {
    return this.advance(await this.table.merge(source, spec, this.current));
  }

  private advance<T extends { committed: boolean; snapshot: Snapshot }>(result: T): T {
    if (result.committed) this.current = result.snapshot;
    return result;
  }
}

/** Conflicts with concurrent runners a step plans again after before giving up (its activity then retries). */
const MAX_REPLANS = 5;

/**
 * Whether a step that failed with `error` after `replans` earlier replans should plan again: a commit of
 * another runner of the step landed since its plan (a CommitConflictError), and it has replans left.
 */
export function shouldPlanAgain(error: unknown, replans: number): error is CommitConflictError {
  return error instanceof CommitConflictError && replans < MAX_REPLANS;
}
