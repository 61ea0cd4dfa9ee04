/** Starting pipeline workflows with ids, memo and search attributes that make them easy to find in the Temporal UI. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Settings } from '../config/settings.ts';
import type { PipelineInput } from '../activities/types.ts';

/** `fitlake-once-20261125-181500-ab12`: mode and start time readable in the UI's list. */
export function runId(kind: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `fitlake-${kind}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
}

export async function startPipeline(client: Client, settings: Settings, input: PipelineInput, workflowId = runId(input.mode)): Promise<WorkflowHandle> {
  const layers = input.layers ?? ['bronze', 'silver', 'gold'];
  const base = {
    taskQueue: settings.temporal.taskQueue,
    workflowId,
    args: [input] as [PipelineInput],
    memo: { mode: input.mode, layers: layers.join(','), trigger: input.trigger ?? 'manual', lake: input.lake },
  };
  try {
    return await client.workflow.start('pipelineWorkflow', {
      ...base,
      searchAttributes: { FitlakeMode: [input.mode], FitlakeTrigger: [input.trigger ?? 'manual'], FitlakeLayers: layers },
    });
  } catch (e) {
    // A cluster without fitlake's search attributes registered still runs the pipeline (memo only).
    if (!/search attribute/i.test((e as Error).message)) throw e;
    return client.workflow.start('pipelineWorkflow', base);
  }
}

export { runningPipelineOn, type RunningPipeline } from '../activities/running-pipelines.ts';
