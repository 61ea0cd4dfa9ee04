/** Running the whole graph in process, stage by stage: what tests and a Temporal-less run use. */
import { stages, STEPS } from './graph.ts';
import type { Step, StepContext, StepResult } from './step.ts';

export async function runPipeline(ctx: StepContext, steps: readonly Step[] = STEPS): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const stage of stages(steps)) {
    // Steps of a stage write different tables (or append to one without conflicts): run them together.
    results.push(...(await Promise.all(stage.map((s) => s.run(ctx)))));
  }
  return results;
}
