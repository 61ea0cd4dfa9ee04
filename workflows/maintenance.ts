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
  const lines: string[] = [];
  for (const table of await listTables()) {
    const r = await maintainTable({ lake: input.lake, table, retentionHours: input.retentionHours ?? 168 });
    lines.push(`${table}: compacted ${r.filesRemoved} into ${r.filesAdded} file(s), vacuumed ${r.vacuumed} file(s), removed ${r.logFilesRemoved ?? 0} expired log file(s)`);
  }
  return lines;
}
