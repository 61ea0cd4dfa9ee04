/**
 * Table maintenance that keeps the pipeline exactly-once: compaction of only what every incremental
 * reader of a table has read already, so a reader never meets the compacted rows again as new input,
 * whatever its checkpoint; vacuum that keeps the change data its readers have still to read; expired log
 * cleanup that keeps the commits they have still to read.
 */
import { allTables } from '../../schema/tables.ts';
import { type TableDef, tablePath } from '../../schema/types.ts';
import { ConfigError, NotFoundError } from '../errors.ts';
import type { LogCleanupOptions, LogCleanupResult } from '../table/log/index.ts';
import type { CompactOptions, CompactResult, VacuumOptions, VacuumResult } from '../table/operations/index.ts';
import { STEPS } from './graph.ts';
import { checkpointId } from './incremental.ts';
import type { Lake } from './lake.ts';

/**
 * The newest version of `def` that every step reading it has consumed (the lowest of their
 * checkpoints; -1 when one has read nothing yet), or undefined when no step reads it.
 */
export async function consumedVersion(lake: Lake, def: TableDef): Promise<number | undefined> {
  const path = tablePath(def);
  let lowest: number | undefined;
  for (const step of STEPS) {
    if (!step.reads.some((r) => tablePath(r) === path)) continue;
    const checkpoint = (await lake.table(step.writes[0]!)).snapshot.txns.get(checkpointId(step.name, def)) ?? -1;
    lowest = lowest === undefined ? checkpoint : Math.min(lowest, checkpoint);
  }
  return lowest;
}

/** Compact `def`'s small files among those its readers have all consumed. */
export async function compactConsumed(lake: Lake, def: TableDef, options: Omit<CompactOptions, 'maxFileVersion'> = {}): Promise<CompactResult> {
  const consumed = await consumedVersion(lake, def);
  const table = await lake.table(def);
  return table.compact({ ...options, ...(consumed !== undefined ? { maxFileVersion: consumed } : {}) });
}

/** Vacuum `def`, keeping the change data files and removed files its readers have not read yet. */
export async function vacuumConsumed(lake: Lake, def: TableDef, options: Omit<VacuumOptions, 'keepChangesAfter'> = {}): Promise<VacuumResult> {
  const consumed = await consumedVersion(lake, def);
  const table = await lake.table(def);
  return table.vacuum({ ...options, ...(consumed !== undefined ? { keepChangesAfter: consumed } : {}) });
}

/** Remove `def`'s log files past the log retention, keeping the commits its readers have not read yet. */
export async function cleanupLogConsumed(lake: Lake, def: TableDef, options: Omit<LogCleanupOptions, 'keepCommitsAfter'> = {}): Promise<LogCleanupResult> {
  const consumed = await consumedVersion(lake, def);
  const table = await lake.table(def);
  return table.cleanupLog({ ...options, ...(consumed !== undefined ? { keepCommitsAfter: consumed } : {}) });
}

/** What maintenance of one table did. */
export interface TableMaintenance {
  filesRemoved: number;
  filesAdded: number;
  vacuumed: number;
  logFilesRemoved: number;
}

/** Maintenance of one table (`<layer>/<name>`): compact its consumed small files, vacuum what is unreferenced for longer than the retention, then remove the expired log. */
export async function maintainTable(lake: Lake, table: string, options: { retentionHours: number; now: () => number }): Promise<TableMaintenance> {
  const def = allTables.find((t) => tablePath(t) === table);
  if (!def) throw new ConfigError(`no table ${table}`, { setting: 'table', value: table });
  const compacted = await compactConsumed(lake, def, { now: options.now });
  const vacuumed = await vacuumConsumed(lake, def, options);
  const cleaned = await cleanupLogConsumed(lake, def, { now: options.now });
  return { filesRemoved: compacted.filesRemoved, filesAdded: compacted.filesAdded, vacuumed: vacuumed.deleted.length, logFilesRemoved: cleaned.deleted.length };
}

/** Where the lake records its last maintenance by a once run (outside every table's folder). */
const MAINTENANCE_RECORD_KEY = '_fitlake/maintenance.json';

/** When the lake was last maintained by a once run (ms since the epoch), or undefined if never. */
export async function lastMaintenance(lake: Lake): Promise<number | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await lake.root.get(MAINTENANCE_RECORD_KEY);
  } catch (e) {
    if (e instanceof NotFoundError) return undefined;
    throw e;
  }
  const record = JSON.parse(new TextDecoder().decode(bytes)) as { at?: unknown };
  return typeof record.at === 'number' ? record.at : undefined;
}

/**
 * Whether maintenance every `everySeconds` is due at `now`. A lake without a record gets one at `now`
 * and is not due: its clock starts with its first run, as a continuous run's starts with the run.
 */
export async function maintenanceDue(lake: Lake, everySeconds: number, now: number): Promise<boolean> {
  if (!(everySeconds > 0)) return false;
  const at = await lastMaintenance(lake);
  if (at === undefined) await recordMaintenance(lake, now);
  return at !== undefined && now - at >= everySeconds * 1000;
}

/** Record a maintenance of the lake at `at`. */
export async function recordMaintenance(lake: Lake, at: number): Promise<void> {
  await lake.root.put(MAINTENANCE_RECORD_KEY, new TextEncoder().encode(`${JSON.stringify({ at, iso: new Date(at).toISOString() })}\n`));
}
