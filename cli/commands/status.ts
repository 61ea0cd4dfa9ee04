/** `fitlake status`: recent pipeline runs on Temporal and the lake's tables with version and freshness. */
import type { CycleFailure, PipelineProgress, PipelineResult, StepProgress } from '../../activities/types.ts';
import { openStore } from '../../config/open-lake.ts';
import { loadSettings } from '../../config/settings.ts';
import { tableStates } from '../../lakehouse/steps/table-states.ts';
import { parseArgs, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';
import { connectClient } from '../temporal-client.ts';

const usage = `Usage: fitlake status [--runs N] [options]

Lists the most recent pipeline runs (from Temporal) and every table of the lake with its version, rows
and the age of its last commit. Without Temporal it still shows the tables.

Options:
  --runs N    how many recent runs to list (default 10)
${SETTINGS_HELP}`;

function age(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export const statusCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { ...SETTINGS_OPTIONS, runs: { type: 'string', default: '10' } } });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    const settings = loadSettings(process.env, settingFlags(values));
    const runs: { workflowId: string; status: string; start: string; mode: unknown; trigger: unknown; failure?: CycleFailure }[] = [];
    let temporalError: string | undefined;
    let lastRun: { workflowId: string; steps: StepProgress[] } | undefined;
    try {
      const { client, close } = await connectClient(settings);
      try {
        for await (const w of client.workflow.list({ query: `WorkflowType="pipelineWorkflow" AND TaskQueue="${settings.temporal.taskQueue}"` })) {
          runs.push({ workflowId: w.workflowId, status: w.status.name, start: w.startTime.toISOString(), mode: w.memo?.mode, trigger: w.memo?.trigger });
          if (runs.length >= Number(values.runs)) break;
        }
        // A running continuous run may be riding out failing cycles: its progress says which step and when it tries again.
        for (const r of runs) {
          if (r.status !== 'RUNNING') continue;
          const progress = (await client.workflow.getHandle(r.workflowId).query<PipelineProgress>('progress').catch(() => undefined)) as PipelineProgress | undefined;
          if (progress?.failure) r.failure = progress.failure;
        }
        // The newest completed run's counts per step: in = written + quarantined + duplicates, to check.
        const completed = runs.find((r) => r.status === 'COMPLETED');
        if (completed) {
          const result = (await client.workflow.getHandle(completed.workflowId).result().catch(() => undefined)) as PipelineResult | undefined;
          if (result?.steps) lastRun = { workflowId: completed.workflowId, steps: result.steps };
        }
      } finally {
        await close();
      }
    } catch (e) {
      temporalError = e instanceof CliError ? e.message : (e as Error).message;
    }
    const tables = (await tableStates(openStore(settings, settings.lake))).map(({ table, version, rows, lastCommitMs }) => ({
      table,
      version,
      rows,
      lastCommit: lastCommitMs === null ? null : new Date(lastCommitMs).toISOString(),
      age: lastCommitMs === null ? 'not created yet' : age(Date.now() - lastCommitMs),
    }));
    if (values.json) {
      console.log(JSON.stringify({ lake: settings.lake, runs, lastRun: lastRun ?? null, temporalError: temporalError ?? null, tables }, null, 2));
    } else {
      console.log(`Runs (task queue ${settings.temporal.taskQueue} at ${settings.temporal.address})`);
      if (temporalError) console.log(`  ${temporalError}`);
      else if (runs.length === 0) console.log('  none yet');
      for (const r of runs) {
        console.log(`  ${r.workflowId.padEnd(40)} ${r.status.padEnd(11)} ${r.start}  ${String(r.mode ?? '')} ${String(r.trigger ?? '')}`);
        const f = r.failure;
        if (f) console.log(`      cycle ${f.cycle} failed at ${f.step} (${f.consecutive} in a row): ${f.error}\n      next try ${new Date(f.retryAt).toISOString()}`);
      }
      if (lastRun) {
        console.log(`\nLast completed run ${lastRun.workflowId}: per step, records in = written + quarantined + duplicates`);
        for (const p of lastRun.steps) console.log(`  ${p.step.padEnd(28)} ${p.state.padEnd(9)} ${String(p.recordsIn).padStart(10)} in ${String(p.rowsWritten).padStart(10)} written ${String(p.quarantined).padStart(6)} quarantined ${String(p.duplicates ?? 0).padStart(8)} duplicate(s)`);
      }
      console.log(`\nTables (lake ${settings.lake})`);
      for (const t of tables) console.log(`  ${t.table.padEnd(32)} ${t.version === null ? '-' : `v${t.version}`.padEnd(6)} ${String(t.rows).padStart(10)} rows  ${t.age}`);
    }
    return ExitCode.ok;
  },
};
