/** `fitlake worker`: a long-running worker on the pipeline task queue; SIGINT/SIGTERM shut it down gracefully. */
import { loadSettings } from '../../config/settings.ts';
import { createPipelineWorker } from '../../workers/pipeline-worker.ts';
import { parseArgs, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake worker [--max-activities N] [options]

Serves the pipeline task queue until SIGINT or SIGTERM. On shutdown, running steps get 30 s to finish;
a step cut off is retried by another worker from its last committed checkpoint (never duplicated).

Options:
  --max-activities N   steps run at once (default 4)
${SETTINGS_HELP}`;

export const workerCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { ...SETTINGS_OPTIONS, 'max-activities': { type: 'string', default: '4' } } });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    const settings = loadSettings(process.env, settingFlags(values));
    const { worker, close: closeWorker } = await createPipelineWorker(settings, { maxConcurrentActivities: Number(values['max-activities']) });
    console.log(`worker on task queue ${settings.temporal.taskQueue} at ${settings.temporal.address} (namespace ${settings.temporal.namespace}); Ctrl-C to stop`);
    try {
      // The SDK's runtime turns SIGINT/SIGTERM into a graceful worker.shutdown().
      await worker.run();
    } finally {
      await closeWorker();
    }
    return ExitCode.ok;
  },
};
