/**
 * Writing rows as data files of a table: rows are grouped by partition values into Hive-style folders
 * (`topic=bpm/week_part=2023-10/`), cut into files of at most `targetFileRows` rows, encoded as Parquet
 * with statistics, and described by add actions. Nothing is visible until a commit references them; a
 * crash before the commit leaves only unreferenced files, which vacuum removes.
 */
import { randomUUID } from 'node:crypto';
import type { Cell, ColumnDef } from '../../schema/types.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { AddAction } from './actions.ts';
import { sliceRows, takeRows, type ColumnBatch } from './column-batch.ts';
import { SchemaMismatchError } from './errors.ts';
import { encodeStats } from './file-stats.ts';
import { encodeParquet } from './parquet-write.ts';
import { partitionDirName, keyToUriPath, toPartitionValue } from './values.ts';

export interface WriteFilesOptions {
  /** Upper bound of rows per data file. @default 1_000_000 */
  targetFileRows?: number;
  /** add.dataChange: false for compaction, which only rearranges rows. @default true */
  dataChange?: boolean;
  /** @default Date.now */
  now?: () => number;
}

/** Check that the batch carries exactly the table's columns; missing nullable columns are filled with null. */
export function conformBatch(table: string, columns: readonly ColumnDef[], batch: ColumnBatch): ColumnBatch {
  const known = new Set(columns.map((c) => c.name));
  for (const name of batch.columns.keys()) {
    if (!known.has(name)) throw new SchemaMismatchError(table, `column ${name} is not in the table schema (${[...known].join(', ')})`);
  }
  const out = new Map<string, readonly Cell[]>();
  for (const column of columns) {
    const values = batch.columns.get(column.name);
    if (values) out.set(column.name, values);
    else if (column.nullable) out.set(column.name, new Array<Cell>(batch.numRows).fill(null));
    else throw new SchemaMismatchError(table, `required column ${column.name} is missing from the written rows`);
  }
  return { numRows: batch.numRows, columns: out };
}

/** Row indices grouped by their partition values (in first-seen order). */
function groupByPartition(columns: readonly ColumnDef[], partitionColumns: readonly string[], batch: ColumnBatch) {
  const groups = new Map<string, { values: Record<string, string | null>; rows: number[] }>();
  const parts = partitionColumns.map((name) => {
    const def = columns.find((c) => c.name === name)!;
    return { name, def, values: batch.columns.get(name)! };
  });
  for (let i = 0; i < batch.numRows; i++) {
    const values: Record<string, string | null> = {};
    for (const p of parts) values[p.name] = toPartitionValue(p.def.type, p.values[i]!);
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { values, rows: [] }));
    group.rows.push(i);
  }
  return [...groups.values()];
}

/** Encode and store the batch as data files; returns their add actions (not yet committed). */
export async function writeDataFiles(
  store: ObjectStore,
  table: string,
  columns: readonly ColumnDef[],
  partitionColumns: readonly string[],
  batch: ColumnBatch,
  options: WriteFilesOptions = {},
): Promise<AddAction[]> {
  const { targetFileRows = 1_000_000, dataChange = true, now = Date.now } = options;
  if (batch.numRows === 0) return [];
  const conformed = conformBatch(table, columns, batch);
  const dataColumns = columns.filter((c) => !partitionColumns.includes(c.name));
  const groups =
    partitionColumns.length === 0
      ? [{ values: {} as Record<string, string | null>, batch: conformed }]
      : groupByPartition(columns, partitionColumns, conformed).map((g) => ({ values: g.values, batch: takeRows(conformed, g.rows) }));

  const adds: AddAction[] = [];
  for (const group of groups) {
    const dir = partitionColumns.map((name) => partitionDirName(name, group.values[name] ?? null)).join('/');
    for (let start = 0; start < group.batch.numRows; start += targetFileRows) {
      const chunk = sliceRows(group.batch, start, start + targetFileRows);
      let encoded;
      try {
        encoded = encodeParquet(dataColumns, chunk);
      } catch (e) {
        if (e instanceof RangeError || e instanceof TypeError) throw new SchemaMismatchError(table, e.message, { cause: e });
        throw e;
      }
      const name = `part-${String(adds.length).padStart(5, '0')}-${randomUUID()}.snappy.parquet`;
      const key = dir ? `${dir}/${name}` : name;
      await store.put(key, encoded.bytes);
      adds.push({
        path: keyToUriPath(key),
        partitionValues: group.values,
        size: encoded.bytes.byteLength,
        modificationTime: now(),
        dataChange,
        stats: encodeStats(dataColumns, encoded.stats),
      });
    }
  }
  return adds;
}
