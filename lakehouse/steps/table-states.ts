/** Each table of the lake as `fitlake status` shows it: version, rows and last commit, without creating any. */
import { allTables } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { prefixedStore, type ObjectStore } from '../storage/index.ts';
import { DeltaTable } from '../table/index.ts';
import { TableNotFoundError } from '../table/log/index.ts';

export interface TableState {
  /** `<layer>/<name>`. */
  table: string;
  /** Null while the table has not been created. */
  version: number | null;
  rows: number;
  /** Time of the latest commit, milliseconds since the epoch; null while not created. */
  lastCommitMs: number | null;
}

/** Every declared table of the lake at `root`, in declaration order; reading only, so status never writes a lake. */
export async function tableStates(root: ObjectStore): Promise<TableState[]> {
  const states: TableState[] = [];
  for (const def of allTables) {
    const table = tablePath(def);
    try {
      const opened = await DeltaTable.open(prefixedStore(root, table));
      states.push({ table, version: opened.version, rows: await opened.count(), lastCommitMs: opened.snapshot.timestamp });
    } catch (e) {
      if (!(e instanceof TableNotFoundError)) throw e;
      states.push({ table, version: null, rows: 0, lastCommitMs: null });
    }
  }
  return states;
}
