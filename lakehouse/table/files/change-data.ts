/**
 * The change data feed (Delta writer version 4, `delta.enableChangeDataFeed`): what each commit changed,
 * row by row, so that readers downstream can follow updates and deletes, not only new rows.
 *
 * Writing: a commit that updates or deletes rows of a table with the feed on also writes cdc files under
 * `_change_data/` holding every change of that commit — inserts, the pre- and post-image of each update,
 * deletes — with a `_change_type` column. A commit that only adds rows writes none: its adds are its
 * changes (inserts), as the protocol says.
 *
 * Reading: the rows that left the table between two versions (pre-images of updates and deleted rows),
 * from each commit's cdc files, or, for a commit without any, from the files it removed with
 * dataChange = true (all their rows left: a partition overwrite, or a table written before the feed was
 * on). The rows that arrived are the live files added since (scan.ts filesAddedSince), so a reader that
 * has both knows every key whose state changed.
 */
import type { Cell, ColumnDef } from '../../../schema/types.ts';
import type { ObjectStore } from '../../storage/index.ts';
import type { AddAction, CdcAction } from '../log/actions.ts';
import { takeRows, type ColumnBatch } from '../columns/column-batch.ts';
import { readDataFile, resolveColumns } from './scan.ts';
import { changeDataFeedEnabled, readCommitActions, type Snapshot } from '../log/snapshot.ts';
import { storeDataFiles, encodeDataFiles, type WriteFilesOptions } from './write-files.ts';

export const CHANGE_TYPE = '_change_type';
export const CHANGE_DATA_FOLDER = '_change_data';
export type ChangeType = 'insert' | 'update_preimage' | 'update_postimage' | 'delete';

const changeTypeColumn: ColumnDef = { name: CHANGE_TYPE, type: 'string', nullable: false };

/** Rows of one kind of change, as a batch of the table's columns. */
export interface ChangeRows {
  type: ChangeType;
  rows: ColumnBatch;
}

/**
 * The cdc actions of a commit that made these changes, or none when the table's feed is off or the
 * changes are inserts only (the commit's adds say it then). Files are written, not yet committed.
 */
export async function writeChangeFiles(store: ObjectStore, snapshot: Snapshot, changes: readonly ChangeRows[], options: WriteFilesOptions = {}): Promise<CdcAction[]> {
  if (!changeDataFeedEnabled(snapshot)) return [];
  if (!changes.some((c) => c.type !== 'insert' && c.rows.numRows > 0)) return [];
  const columns = [...snapshot.columns, changeTypeColumn];
  const cells = new Map<string, Cell[]>(columns.map((c) => [c.name, []]));
  let numRows = 0;
  for (const change of changes) {
    for (const column of snapshot.columns) {
      const out = cells.get(column.name)!;
      const values = change.rows.columns.get(column.name);
      for (let i = 0; i < change.rows.numRows; i++) out.push(values ? values[i]! : null);
    }
    const types = cells.get(CHANGE_TYPE)!;
    for (let i = 0; i < change.rows.numRows; i++) types.push(change.type);
    numRows += change.rows.numRows;
  }
  const batch: ColumnBatch = { numRows, columns: cells };
  const files = encodeDataFiles(snapshot.metadata.name ?? store.url, columns, snapshot.partitionColumns, batch, options.targetFileRows);
  const adds = await storeDataFiles(store, snapshot.partitionColumns, files, { ...options, folder: CHANGE_DATA_FOLDER });
  return adds.map((a) => ({ path: a.path, partitionValues: a.partitionValues, size: a.size, dataChange: false }));
}

/** A cdc or removed file as the add-like record readDataFile reads. */
function asFile(path: string, partitionValues: Record<string, string | null> | undefined, size: number | undefined): AddAction {
  return { path, partitionValues: partitionValues ?? {}, size: size ?? 0, modificationTime: 0, dataChange: false };
}

/**
 * Batches of the rows that left the table in versions (from, to] (see the module comment), in the
 * given columns of `snapshot` (the table at `to`, or any version with the same schema). Nothing when
 * `from` is undefined: a reader that read nothing yet has nothing to take back.
 */
export async function* rowsRemovedBetween(store: ObjectStore, snapshot: Snapshot, from: number | undefined, to: number, columnNames?: readonly string[]): AsyncGenerator<ColumnBatch> {
  if (from === undefined) return;
  const wanted = resolveColumns(snapshot, columnNames);
  for (let version = from + 1; version <= to; version++) {
    const actions = await readCommitActions(store, version);
    const cdc = actions.flatMap((a) => ('cdc' in a ? [a.cdc] : []));
    if (cdc.length > 0) {
      for (const file of cdc) {
        const batch = await readDataFile(store, snapshot, asFile(file.path, file.partitionValues, file.size), [...wanted, changeTypeColumn]);
        const types = batch.columns.get(CHANGE_TYPE)!;
        const gone: number[] = [];
        for (let i = 0; i < batch.numRows; i++) if (types[i] === 'update_preimage' || types[i] === 'delete') gone.push(i);
        if (gone.length === 0) continue;
        const rows = takeRows(batch, gone);
        yield { numRows: rows.numRows, columns: new Map(wanted.map((c) => [c.name, rows.columns.get(c.name)!])) };
      }
      continue;
    }
    for (const action of actions) {
      if (!('remove' in action) || !action.remove.dataChange) continue;
      const { path, partitionValues, size } = action.remove;
      const batch = await readDataFile(store, snapshot, asFile(path, partitionValues, size), wanted);
      if (batch.numRows > 0) yield batch;
    }
  }
}

/**
 * The data files added in versions (from, to] by commits that removed no data file (appends, merges that
 * only inserted): every row of such a file arrived in it. A commit that removed files (an update, a
 * delete, an overwrite) may have copied rows that were there before into the files it added, so its
 * files are not among these. Compaction adds no file readers take as new (dataChange = false).
 */
export async function filesOfArrivedRows(store: ObjectStore, from: number, to: number): Promise<Set<string>> {
  const paths = new Set<string>();
  for (let version = from + 1; version <= to; version++) {
    const actions = await readCommitActions(store, version);
    if (actions.some((a) => 'remove' in a && a.remove.dataChange)) continue;
    for (const a of actions) if ('add' in a && a.add.dataChange) paths.add(a.add.path);
  }
  return paths;
}
