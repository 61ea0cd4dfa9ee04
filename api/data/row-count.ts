/** Rows of a snapshot: from the files' statistics, or by reading one column when a file has none. */
import type { DeltaTable } from '../../lakehouse/table/index.ts';
import type { Snapshot } from '../../lakehouse/table/log/index.ts';

export async function rowCount(table: DeltaTable, snapshot: Snapshot): Promise<number> {
  let n = 0;
  for (const add of snapshot.files.values()) {
    const stats = add.stats ? (JSON.parse(add.stats) as { numRecords?: unknown }) : {};
    if (typeof stats.numRecords !== 'number') {
      let scanned = 0;
      for await (const batch of table.scan({ snapshot, columns: [snapshot.columns[0]!.name] })) scanned += batch.numRows;
      return scanned;
    }
    n += stats.numRecords;
  }
  return n;
}
