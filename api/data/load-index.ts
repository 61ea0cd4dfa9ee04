/** Reading one version of a table into a ColumnarIndex (all rows, the declared columns). */
import type { TableDef } from '../../schema/types.ts';
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';
import { ColumnarIndexBuilder, emptyIndex, type ColumnarIndex, type IndexSpec } from './columnar-index.ts';

/** The index spec of a declared table: every column, its primary key as the tie-breaker. */
export function indexSpecOf<T extends TableDef>(def: T): IndexSpec<T> {
  return { columns: def.columns, key: def.primaryKey };
}

/** Scan the snapshot file by file into an index (memory: the index plus one file's batch). */
export async function loadIndex<T extends TableDef>(table: DeltaTable, snapshot: Snapshot, spec: IndexSpec<T>): Promise<ColumnarIndex<T>> {
  const builder = new ColumnarIndexBuilder(spec);
  for await (const batch of table.scan({ snapshot, columns: spec.columns.map((c) => c.name) })) builder.add(batch);
  return builder.finish(snapshot.version);
}

export { emptyIndex };
