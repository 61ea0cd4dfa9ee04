/** `fitlake reprocess --from <step>`: full refresh of a step and everything downstream, as a workflow. */
import { WorkflowFailedError } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { loadSettings } from '../../config/settings.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { createPipelineWorker } from '../../workers/pipeline-worker.ts';
import type { PipelineResult } from '../../activities/types.ts';
import { parseArgs, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { summaryTable } from '../follow.ts';
import type { Command } from '../command.ts';
import { runId } from '../start-pipeline.ts';
import { connectClient } from '../temporal-client.ts';
import { runWorkerIdentity } from '../serving-workers.ts';

const usage = `Usage: fitlake reprocess --from <step> [--no-worker] [options]

Rebuilds the step's table and every table downstream from their inputs (a full refresh): their
tables are emptied in new versions (time travel still shows the old data until vacuum), their
checkpoints rewound, their quarantine rows removed, then the steps run once.
Steps: ${STEPS.map((s) => s.name).join(', ')}
${SETTINGS_HELP}

Example:
  fitlake reprocess --from silver_heart_rate`;

export const reprocessCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { ...SETTINGS_OPTIONS, from: { type: 'string' }, 'no-worker': { type: 'boolean', default: false } } });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    if (!values.from || !STEPS.some((s) => s.name === values.from)) throw new CliError(`--from must name a step (${STEPS.map((s) => s.name).join(', ')})`, ExitCode.usage);
    const settings = loadSettings(process.env, settingFlags(values));
    const { client, close } = await connectClient(settings);
    try {
      const handle = await client.workflow.start('reprocessWorkflow', {
        taskQueue: settings.temporal.taskQueue,
        workflowId: runId(`reprocess-${values.from}`),
        args: [{ from: values.from, lake: settings.lake, landing: settings.landing, ...(settings.kafkaBrokers.length ? { kafkaBrokers: settings.kafkaBrokers } : {}) }],
        memo: { mode: 'reprocess', trigger: 'manual', from: values.from },
      });
      console.log(`reprocess ${handle.workflowId} started`);
      let result: PipelineResult;
      try {
        if (values['no-worker']) result = (await handle.result()) as PipelineResult;
        else {
          Runtime.install({ logger: new DefaultLogger('WARN') });
          const { worker, close: closeWorker } = await createPipelineWorker(settings, { identity: runWorkerIdentity() });
          try {
            result = (await worker.runUntil(handle.result())) as PipelineResult;
          } finally {
            await closeWorker();
          }
        }
      } catch (e) {
        if (e instanceof WorkflowFailedError) throw new CliError(`reprocess failed: ${(e.cause as Error | undefined)?.message ?? e.message}`);
        throw e;
      }
      console.log(values.json ? JSON.stringify(result, null, 2) : summaryTable(result));
      return ExitCode.ok;
    } finally {
      await close();
    }
  },
};
