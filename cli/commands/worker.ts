/** `fitlake worker`: a long-running worker on the pipeline task queue; SIGINT/SIGTERM shut it down gracefully. */
import { loadMetricsSettings } from '../../config/metrics-settings.ts';
import { loadSettings } from '../../config/settings.ts';
import { createWorkerMetrics } from '../../workers/metrics/worker-metrics.ts';
import { createPipelineWorker } from '../../workers/pipeline-worker.ts';
import { parseArgs, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { ExitCode } from '../exit-codes.ts';
import { METRICS_OPTIONS, metricsFlags, startCommandMetrics } from '../metrics-listener.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake worker [--max-activities N] [--metrics-port N [--metrics-host ADDR]] [options]

Serves the pipeline task queue until SIGINT or SIGTERM. On shutdown, running steps get 30 s to finish;
a step cut off is retried by another worker from its last committed checkpoint (never duplicated).
With --metrics-port, Prometheus metrics of the steps it ran (runs, failures, durations, rows read,
written and quarantined), the Kafka lag per partition and each table's freshness are at /metrics.

Options:
  --max-activities N   steps run at once (default 4)
  --metrics-port N     serve Prometheus metrics at http://HOST:N/metrics (FITLAKE_WORKER_METRICS_PORT;
                       default off; 0 picks a free port, printed)
  --metrics-host ADDR  address of the metrics listener (FITLAKE_WORKER_METRICS_HOST, default 127.0.0.1:
                       loopback only)
${SETTINGS_HELP}`;

export const workerCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({ args, options: { ...SETTINGS_OPTIONS, ...METRICS_OPTIONS, 'max-activities': { type: 'string', default: '4' } } });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    const settings = loadSettings(process.env, settingFlags(values));
    const metricsSettings = loadMetricsSettings(process.env, metricsFlags(values), 'worker');
    const metrics = metricsSettings.port === undefined ? undefined : createWorkerMetrics({ onObservationError: (what, e) => console.error(`metrics: ${what} not read: ${(e as Error).message}`) });
    const endpoint = metrics && (await startCommandMetrics(metrics.registry, metricsSettings));
    try {
      const { worker, close: closeWorker } = await createPipelineWorker(settings, { maxConcurrentActivities: Number(values['max-activities']), ...(metrics ? { observer: metrics.observer } : {}) });
      console.log(`worker on task queue ${settings.temporal.taskQueue} at ${settings.temporal.address} (namespace ${settings.temporal.namespace}); Ctrl-C to stop`);
      if (endpoint) console.log(`metrics on ${endpoint.url}`);
      try {
        // The SDK's runtime turns SIGINT/SIGTERM into a graceful worker.shutdown().
        await worker.run();
      } finally {
        await closeWorker();
      }
    } finally {
      await endpoint?.close();
    }
    return ExitCode.ok;
  },
};
