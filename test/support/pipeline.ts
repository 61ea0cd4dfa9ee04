/** Building a lake in a temporary folder and reading its tables back, for pipeline tests. */
import { allTables } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import type { Lake } from '../../lakehouse/steps/lake.ts';
import { createWorkerPool } from '../../lakehouse/threads/pool.ts';
import { scratchLake, type ScratchLake } from '../../simulator/scratch-lake.ts';

export type TestLake = ScratchLake;

/**
 * The worker threads of the test process, shared by every test lake (as a fitlake worker shares its pool
 * among its activities): the default size, started on first use; idle, they do not keep the process alive.
 */
const testThreads = createWorkerPool();

/** A fresh lake and landing zone under a new temporary folder, its steps run with the test process's worker threads. */
export function makeTestLake(prefix = 'fitlake-lake-'): Promise<TestLake> {
  return scratchLake(prefix, testThreads);
}

/** All rows of a table, each as a canonical JSON line, sorted: equal tables give equal arrays. */
export async function tableLines(lake: Lake, def: TableDef, columns?: readonly string[]): Promise<string[]> {
  const table = await lake.table(def);
  const rows = await table.rows(columns ? { columns } : {});
  return rows.map((r) => JSON.stringify(r)).sort();
}

/** Row count of every table of the lake, by name. */
export async function tableCounts(lake: Lake): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const def of allTables) out[`${def.layer}/${def.name}`] = await (await lake.table(def)).count();
  return out;
}

/** Every column of a table but its load time (the time of the run, which differs between two lakes). */
export const comparedColumns = (def: TableDef): string[] => def.columns.map((c) => c.name).filter((c) => c !== 'load_time');

/** Each table of the lake (bronze and quarantine included) as its sorted lines without load times, by path. */
export async function lakeLines(lake: Lake): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const def of allTables) out.set(`${def.layer}/${def.name}`, await tableLines(lake, def, comparedColumns(def)));
  return out;
}
