/**
 * The pipeline run going on a lake, found through Temporal's visibility (memo `lake`, status running):
 * what the CLI asks before starting a run and a scheduled run asks before it goes on. One run per lake
 * at a time is what an operator expects; correctness does not depend on it (two runners of a step never
 * duplicate, see lakehouse/steps/target-transaction.ts), so the check-then-start race costs only work.
 */
import type { Client } from '@temporalio/client';

/** A pipeline run going on a lake. */
export interface RunningPipeline {
  workflowId: string;
  mode: string;
}

/** The pipeline run going on `lake` other than `except` (a workflow id), if any. */
export async function runningPipelineOn(client: Client, lake: string, except?: string): Promise<RunningPipeline | undefined> {
  for await (const w of client.workflow.list({ query: `WorkflowType = 'pipelineWorkflow' AND ExecutionStatus = 'Running'` })) {
    if (w.workflowId !== except && w.memo?.lake === lake) return { workflowId: w.workflowId, mode: String(w.memo?.mode ?? 'once') };
  }
  return undefined;
}
