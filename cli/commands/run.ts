/** `fitlake run`: start a pipeline run on Temporal and follow it; by default with a worker in this process. */
import { WorkflowFailedError } from '@temporalio/client';
import { type Settings, loadSettings } from '../../config/settings.ts';
import type { Layer, PipelineInput, PipelineResult } from '../../activities/types.ts';
import { parseArgs, parseDuration, parseList, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { followRun, summaryTable } from '../follow.ts';
import type { Command } from '../command.ts';
import { connectClient } from '../temporal-client.ts';
import { runningPipelineOn, startPipeline } from '../start-pipeline.ts';
import { pickedUp, runWorkerIdentity, workersServe } from '../serving-workers.ts';

const usage = `Usage: fitlake run [--once | --continuous --every 5s] [options]

Runs the pipeline (bronze → silver → gold) as a Temporal workflow and follows it step by step.
The run goes to the workers serving the task queue (\`fitlake worker\`: code loaded, JIT warm) when
there are any, else to a worker started inside this command.
Exit code 0 when the run succeeds; 1 with the failure's reason; 3 when Temporal is not reachable.

Options:
  --once                 process everything available, then stop (default)
  --continuous           repeat every --every until Ctrl-C (which stops after the current cycle)
  --every DURATION       trigger interval in continuous mode (default 5s)
  --maintain-every DURATION
                         compact, vacuum and clean up the log of every table this often (default 1h;
                         0 switches it off): between the cycles of a continuous run; after a once run
                         when the lake's last maintenance by a once run is older
  --steps a,b            only these steps        --layers bronze,silver,gold   only these layers
  --no-worker            never start a worker in this process (wait for others to serve the task queue)
  --own-worker           always start one in this process, even when others serve the task queue
${SETTINGS_HELP}

Examples:
  fitlake run --once --landing ./landing --lake ./lake
  fitlake run --continuous --every 5s --kafka 127.0.0.1:9092
  fitlake run --layers silver,gold --no-worker`;

export const runCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        ...SETTINGS_OPTIONS,
        once: { type: 'boolean', default: false },
        continuous: { type: 'boolean', default: false },
        every: { type: 'string', default: '5s' },
        'maintain-every': { type: 'string', default: '1h' },
        steps: { type: 'string' },
        layers: { type: 'string' },
        'no-worker': { type: 'boolean', default: false },
        'own-worker': { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    if (values.once && values.continuous) throw new CliError('choose --once or --continuous, not both', ExitCode.usage);
    if (values['no-worker'] && values['own-worker']) throw new CliError('choose --no-worker or --own-worker, not both', ExitCode.usage);
    const settings = loadSettings(process.env, settingFlags(values));
    const layers = parseList(values.layers) as Layer[] | undefined;
    for (const l of layers ?? []) if (!['bronze', 'silver', 'gold'].includes(l)) throw new CliError(`--layers: unknown layer '${l}'`, ExitCode.usage);
    const steps = parseList(values.steps);
    const input: PipelineInput = {
      mode: values.continuous ? 'continuous' : 'once',
      everySeconds: parseDuration(values.every, '--every'),
      maintenanceEverySeconds: parseDuration(values['maintain-every'], '--maintain-every'),
      lake: settings.lake,
      landing: settings.landing,
      ...(settings.landingArchive ? { landingArchive: settings.landingArchive } : {}),
      ...(settings.kafkaBrokers.length > 0 ? { kafkaBrokers: settings.kafkaBrokers } : {}),
      ...(steps ? { steps } : {}),
      ...(layers ? { layers } : {}),
      trigger: 'manual',
    };
    const worker: WorkerChoice = values['no-worker'] ? 'none' : values['own-worker'] ? 'own' : 'auto';
    return runAndFollow(settings, input, { worker, json: values.json });
  },
};

/** Who runs the run: workers already serving the task queue when there are any ('auto'), always one in this process ('own'), or only others ('none'). */
export type WorkerChoice = 'auto' | 'own' | 'none';

/** How long a run handed to the serving workers may wait for one to pick it up before this process starts its own. */
const HAND_OVER_MS = 3000;

/** Start the run, follow it (on the serving workers or an in-process one, see WorkerChoice), print the outcome. */
export async function runAndFollow(settings: Settings, input: PipelineInput, options: { worker: WorkerChoice; json: boolean }): Promise<number> {
  const { client, close } = await connectClient(settings);
  const print = options.json ? () => {} : (text: string) => console.log(text);
  try {
    // One run per lake: a once run going on it is followed (its result is this command's); a continuous
    // one would never end, so it is named instead.
    const running = await runningPipelineOn(client, input.lake);
    if (running && (running.mode === 'continuous' || input.mode === 'continuous')) {
      throw new CliError(`a ${running.mode} run, ${running.workflowId}, is going on lake ${input.lake}: stop it first (fitlake status lists runs)`, ExitCode.failed);
    }
    const served = options.worker === 'auto' && (await workersServe(client, settings.temporal.taskQueue));
    const handle = running ? client.workflow.getHandle(running.workflowId) : await startPipeline(client, settings, input);
    print(running ? `run ${handle.workflowId} is already going on lake ${input.lake}: following it` : `run ${handle.workflowId} started (${input.mode}); lake ${input.lake}`);
    let ownWorker = options.worker === 'own' || (options.worker === 'auto' && !served);
    if (served) {
      if (await pickedUp(handle, HAND_OVER_MS)) {
        print(`on the workers serving task queue ${settings.temporal.taskQueue}`);
      } else {
        print(`no worker of task queue ${settings.temporal.taskQueue} took the run up within ${HAND_OVER_MS / 1000} s: starting one in this process`);
        ownWorker = true;
      }
    }
    // Ctrl-C in continuous mode: stop after the current cycle instead of abandoning the run.
    const onSigint = () => {
      print('stopping after the current cycle (Ctrl-C again to leave it running)');
      process.removeListener('SIGINT', onSigint);
      void handle.signal('stop').catch(() => {});
    };
    if (input.mode === 'continuous') process.on('SIGINT', onSigint);
    let result: PipelineResult;
    try {
      if (ownWorker) {
        // Loaded only here: a run handed to serving workers never pays for the worker's native core.
        const [{ DefaultLogger, Runtime }, { createPipelineWorker }] = await Promise.all([import('@temporalio/worker'), import('../../workers/pipeline-worker.ts')]);
        // The in-process worker's INFO lines would bury the progress display.
        Runtime.install({ logger: new DefaultLogger(process.env.FITLAKE_LOG_LEVEL === 'debug' ? 'INFO' : 'WARN') });
        const { worker, close: closeWorker } = await createPipelineWorker(settings, { identity: runWorkerIdentity() });
        try {
          result = await worker.runUntil(followRun(handle, print));
        } finally {
          await closeWorker();
        }
      } else {
        result = await followRun(handle, print);
      }
    } catch (e) {
      if (e instanceof WorkflowFailedError) {
        const reason = rootMessage(e);
        if (options.json) console.log(JSON.stringify({ workflowId: handle.workflowId, status: 'failed', reason }));
        throw new CliError(`run ${handle.workflowId} failed: ${reason}`, ExitCode.failed);
      }
      throw e;
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
    if (options.json) console.log(JSON.stringify({ workflowId: handle.workflowId, status: 'completed', worker: ownWorker ? 'this process' : 'serving', ...result }, null, 2));
    else print(`\nrun ${handle.workflowId} completed\n${summaryTable(result)}`);
    return ExitCode.ok;
  } finally {
    await close();
  }
}

/** The innermost cause's message: the step's own error, not Temporal's wrappers. */
function rootMessage(e: unknown): string {
  let current = e as { message?: string; cause?: unknown };
  while (current.cause && typeof current.cause === 'object') current = current.cause as typeof current;
  return current.message ?? String(e);
}
