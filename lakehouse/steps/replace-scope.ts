/**
 * Deleting what a recomputation no longer produces. A step that recomputes every output row of a scope
 * (the sessions, MAC addresses or groups its changed input touches) stores them with a merge; a row of
 * the scope that it did not produce this time (a workout that lost its pair, a gym row whose workout
 * moved out of the visit) is deleted first, in a commit of its own. A retry recomputes the same scope
 * and finds nothing more to delete; the merge then writes what was produced.
 */
import type { ColumnBatch, Row } from '../table/columns/index.ts';
import type { Predicate, Value } from '../table/files/index.ts';
import type { Cell } from '../../schema/types.ts';
import { keyOf } from './rows.ts';
import type { TargetTransaction } from './target-transaction.ts';

export interface Scope {
  /** Prunes the target's files to those that may hold rows of the scope. */
  where: readonly Predicate[];
  /** Whether row i of a target file lies in the scope. */
  holds(batch: ColumnBatch, i: number): boolean;
}

/** The scope of the rows whose `column` holds one of `values`. */
export function columnScope(column: string, values: ReadonlySet<Cell>): Scope {
  return { where: [{ column, op: 'in', values: [...values] as Value[] }], holds: (batch, i) => values.has(batch.columns.get(column)![i]!) };
}

/** The cells of row i of a batch in the given columns, as a row. */
export function cellsAt(batch: ColumnBatch, i: number, columns: readonly string[]): Row {
  const row: Row = {};
  for (const c of columns) row[c] = batch.columns.get(c)![i]!;
  return row;
}

/** Delete the target's rows in `scope` whose key (the target's `key`) is not among `produced`. */
export async function deleteUnproduced(
  target: TargetTransaction,
  key: readonly string[],
  scope: Scope,
  produced: readonly Row[],
  options: { step: string; reason: string; now: () => number },
): Promise<void> {
  const kept = new Set(produced.map((r) => keyOf(r, key)));
  await target.deleteRows({
    where: scope.where,
    matches: (batch, i) => scope.holds(batch, i) && !kept.has(keyOf(cellsAt(batch, i, key), key)),
    now: options.now,
    operationParameters: { step: options.step, reason: options.reason },
  });
}
