/** Table maintenance on its own schedule: compaction of small files, vacuum past the retention, expired log cleanup. */
import { proxyActivities } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipeline-activities.ts';
import { STEP_ACTIVITY } from './retry-policy.ts';
import type { PipelineLocations } from '../activities/types.ts';

const { maintainTable, listTables } = proxyActivities<PipelineActivities>(STEP_ACTIVITY);

export interface MaintenanceInput extends PipelineLocations {
  /** @default 168 */
  retentionHours?: number;
}

export async function maintenanceWorkflow(input: MaintenanceInput): Promise<string[]> {
  return maintainLake(input.lake, input.retentionHours ?? 168);
}

/** Maintain every table of the lake, one after the other; a line per table of what was done. */
export async function maintainLake(lake: string, retentionHours: number): Promise<string[]> {
  const lines: string[] = [];
  for (const table of await listTables()) {
    const r = await maintainTable({ lake, table, retentionHours });
    lines.push(`${table}: compacted ${r.filesRemoved} into ${r.filesAdded} file(s), vacuumed ${r.vacuumed} file(s), removed ${r.logFilesRemoved ?? 0} expired log file(s)`);
  }
  return lines;
}
