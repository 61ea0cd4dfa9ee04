/**
 * Full refresh: reset a step and everything downstream of it, then run the pipeline once over those
 * steps, rebuilding their tables from their inputs. For when logic changes or data was repaired.
 */
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipeline-activities.ts';
import { pipelineWorkflow } from './pipeline.ts';
import { QUICK_ACTIVITY, STEP_ACTIVITY } from './retry-policy.ts';
import type { PipelineLocations, PipelineResult } from '../activities/types.ts';

const { planReprocess } = proxyActivities<PipelineActivities>(QUICK_ACTIVITY);
const { resetSteps } = proxyActivities<PipelineActivities>(STEP_ACTIVITY);

export interface ReprocessInput extends PipelineLocations {
  from: string;
}

export async function reprocessWorkflow(input: ReprocessInput): Promise<PipelineResult> {
  const steps = await planReprocess({ from: input.from });
  await resetSteps({ ...input, steps });
  return executeChild(pipelineWorkflow, {
    args: [{ ...input, mode: 'once', steps }],
    workflowId: `${workflowInfo().workflowId}-rebuild`,
  });
}
