/** Starting pipeline workflows with ids, memo and search attributes that make them easy to find in the Temporal UI. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Settings } from '../config/settings.ts';
import type { PipelineInput } from '../workflows/types.ts';

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

/** A pipeline run going on the lake, as the CLI found it. */
export interface RunningPipeline {
  workflowId: string;
  mode: string;
}

/**
 * The pipeline run going on `lake`, if any (memo `lake`, status running). One run per lake at a time is
 * what an operator expects; correctness does not depend on it (two runners of a step never duplicate,
 * see lakehouse/steps/target-transaction.ts), so the check-then-start race of two CLIs at one instant
 * costs only duplicate work.
 */
export async function runningPipelineOn(client: Client, lake: string): Promise<RunningPipeline | undefined> {
  for await (const w of client.workflow.list({ query: `WorkflowType = 'pipelineWorkflow' AND ExecutionStatus = 'Running'` })) {
    if (w.memo?.lake === lake) return { workflowId: w.workflowId, mode: String(w.memo?.mode ?? 'once') };
  }
  return undefined;
}
