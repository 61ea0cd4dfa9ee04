/** The lake: one ObjectStore root holding every table at `<layer>/<name>`. */
import type { TableDef } from '../../schema/types.ts';
import { tablePath } from '../../schema/types.ts';
import { prefixedStore } from '../storage/prefixed-store.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { DeltaTable } from '../table/delta-table.ts';

export class Lake {
  private readonly tables = new Map<string, Promise<DeltaTable>>();

  constructor(readonly root: ObjectStore) {}

  /** The table of a declaration, created on first use, refreshed to its newest version. */
  async table(def: TableDef): Promise<DeltaTable> {
    const path = tablePath(def);
    let opening = this.tables.get(path);
    if (!opening) {
      opening = DeltaTable.createIfAbsent(prefixedStore(this.root, path), def);
      this.tables.set(path, opening);
      // A failed open must not stay cached: the next call tries again.
      opening.catch(() => this.tables.delete(path));
    }
    const table = await opening;
    await table.refresh();
    return table;
  }
}
