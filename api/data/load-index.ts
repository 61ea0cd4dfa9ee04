/** Reading one version of a table into a ColumnarIndex (all rows, the declared columns). */
import type { TableDef } from '../../schema/types.ts';
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';
import { ColumnarIndexBuilder, emptyIndex, type ColumnarIndex, type IndexSpec, type RowRange } from './columnar-index.ts';

/** The index spec of a declared table: every column, its primary key as the tie-breaker. */
export function indexSpecOf<T extends TableDef>(def: T): IndexSpec<T> {
  return { columns: def.columns, key: def.primaryKey };
}

/**
 * The index of a snapshot, file by file in the snapshot's order (memory: the index plus one file's
 * batch). With the index of an earlier version, the rows of every file both versions hold are copied
 * from it and only the files added since are read: a new gold version costs its new files, not the
 * table (issue 20), and the index is the one a full read would give (same rows, same order, same codes).
 */
export async function loadIndex<T extends TableDef>(table: DeltaTable, snapshot: Snapshot, spec: IndexSpec<T>, previous?: ColumnarIndex<T>): Promise<ColumnarIndex<T>> {
  const builder = new ColumnarIndexBuilder(spec);
  const columns = spec.columns.map((c) => c.name);
  const fileRows = new Map<string, RowRange>();
  for (const add of snapshot.files.values()) {
    const from = builder.rowCount;
    const kept = previous?.fileRows.get(add.path);
    if (kept) builder.copyRows(previous!, kept.from, kept.to);
    else for await (const batch of table.scan({ snapshot, files: [add], columns })) builder.add(batch);
    fileRows.set(add.path, { from, to: builder.rowCount });
  }
  return builder.finish(snapshot.version, fileRows);
}

export { emptyIndex };
