/** Following a pipeline run from the terminal: live step states while it runs, a summary at the end. */
import type { WorkflowHandle } from '@temporalio/client';
import type { PipelineProgress, PipelineResult, StepProgress } from '../activities/types.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function line(p: StepProgress): string {
  const versions = Object.entries(p.versions).map(([t, v]) => `${t}@v${v}`).join(' ');
  const time = p.durationMs !== undefined ? `${(p.durationMs / 1000).toFixed(2)} s` : '';
  return `  ${p.step.padEnd(28)} ${p.state.padEnd(9)} ${String(p.recordsIn).padStart(10)} in ${String(p.rowsWritten).padStart(10)} written ${String(p.quarantined).padStart(6)} quarantined ${String(p.duplicates ?? 0).padStart(8)} duplicate(s)  ${time.padStart(8)}  ${versions}${p.lastError ? `\n      ${p.lastError}` : ''}`;
}

/** Poll the run's progress query, printing each step when its state changes, until the run ends. */
export async function followRun(handle: WorkflowHandle, print: (text: string) => void, pollMs = 300): Promise<PipelineResult> {
  const seen = new Map<string, string>();
  let cycle = 0;
  let failedCycle = 0;
  const result = handle.result() as Promise<PipelineResult>;
  let done = false;
  void result.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    try {
      const progress = (await handle.query('progress')) as PipelineProgress;
      if (progress.cycle !== cycle) {
        cycle = progress.cycle;
        seen.clear();
        if (progress.mode === 'continuous') print(`cycle ${cycle}`);
      }
      const f = progress.failure;
      if (f && f.cycle !== failedCycle) {
        failedCycle = f.cycle;
        print(`cycle ${f.cycle} failed at ${f.step} (${f.consecutive} in a row); the run goes on, next cycle at ${new Date(f.retryAt).toISOString()}`);
      }
      for (const step of progress.steps) {
        const key = `${step.state}`;
        if (seen.get(step.step) !== key && step.state !== 'pending') {
          seen.set(step.step, key);
          print(line(step));
        }
      }
    } catch {
      // The run may not have a worker yet, or just completed: the result decides.
    }
    await Promise.race([result.catch(() => undefined), sleep(pollMs)]);
  }
  return result;
}

export function summaryTable(result: PipelineResult): string {
  return [`${result.cycles} cycle(s)`, ...result.steps.map(line)].join('\n');
}
