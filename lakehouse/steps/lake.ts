/** The lake: one ObjectStore root holding every table at `<layer>/<name>`. */
import { type TableDef, tablePath } from '../../schema/types.ts';
import { prefixedStore, type ObjectStore } from '../storage/index.ts';
import { DeltaTable } from '../table/index.ts';

export class Lake {
  private readonly tables = new Map<string, Promise<DeltaTable>>();

  constructor(readonly root: ObjectStore) {}

  /**
   * The table of a declaration, created on first use, refreshed to its newest version. A table kept from
   * an earlier use whose history is gone from the store (its lake deleted while a worker kept it open) is
   * opened again, created anew if absent: the cached snapshot would otherwise say that everything was
   * already read, or put the next commit on a version the store does not have.
   */
  async table(def: TableDef): Promise<DeltaTable> {
    const path = tablePath(def);
    let opening = this.tables.get(path);
    const cached = opening !== undefined;
    if (!opening) {
      opening = DeltaTable.createIfAbsent(prefixedStore(this.root, path), def);
      this.tables.set(path, opening);
      // A failed open must not stay cached: the next call tries again.
      opening.catch(() => this.tables.delete(path));
    }
    const table = await opening;
    const before = table.version;
    await table.refresh();
    // Only a kept table that found nothing newer can have lost its history (one HEAD request).
    if (cached && table.version === before && (await table.vanished())) {
      if (this.tables.get(path) === opening) this.tables.delete(path);
      return this.table(def);
    }
    return table;
  }
}
