/**
 * Building a fitlake worker: connection, task queue, the pipeline's workflows and activities wired with
 * their dependencies, and concurrency limits that fit a small machine.
 */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/pipeline-activities.ts';
import type { StepObserver } from '../activities/step-observer.ts';
import type { Settings } from '../config/settings.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { KafkajsSource } from '../lakehouse/sources/kafkajs-source.ts';
import { openStore } from '../config/open-lake.ts';
import { createWorkerPool } from '../lakehouse/threads/pool.ts';
import { configureIngestion } from '../lakehouse/steps/configure-ingestion.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * The workflow code a worker runs: from the build in dist/ (scripts/build.ts), the bundle made there,
 * so a worker starts without the seconds of bundling; from the TypeScript sources, bundled at start.
 */
const workflowCode = (): { workflowBundle: { codePath: string } } | { workflowsPath: string } =>
  import.meta.url.endsWith('.ts') ? { workflowsPath } : { workflowBundle: { codePath: fileURLToPath(new URL('./workflow-bundle.js', import.meta.url)) } };

export interface WorkerOptions {
  /**
   * Parallel activities (pipeline steps). Enough for the four source steps of a cycle at once: a cycle
   * waits for all of them, and most cycles find little or nothing (CPU-heavy parsing runs in the
   * worker-thread pool, sized by cores). @default 4
   */
  maxConcurrentActivities?: number;
  /** How long in-flight activities get to finish on shutdown before they are abandoned to a retry. @default '30 seconds' */
  shutdownGraceTime?: string;
  /** The name the worker polls under (Temporal lists it with the task queue's pollers). @default the SDK's `pid@host` */
  identity?: string;
  /** Told of every step run, for metrics (workers/metrics/worker-metrics.ts). @default none */
  observer?: StepObserver;
}

export interface PipelineWorker {
  worker: Worker;
  connection: NativeConnection;
  /** After the worker has stopped: close the Kafka sources its activities kept open, then the connection. */
  close(): Promise<void>;
}

/** A worker for the pipeline task queue; run it with worker.run() or worker.runUntil(), then close(). */
export async function createPipelineWorker(settings: Settings, options: WorkerOptions = {}): Promise<PipelineWorker> {
  // The threads that parse and encode big inputs for the steps this worker runs (one pool for all its
  // activities), started now so that they load while the worker connects.
  const threads = createWorkerPool(settings.threads);
  threads?.startAll();
  // How the steps this process runs judge their input (process-wide, as the thread pool).
  configureIngestion(settings.ingestion);
  const connection = await NativeConnection.connect(await temporalConnectionOptions(settings.temporal));
  // One Kafka source per broker list for the worker's lifetime: its admin connection and its consumer
  // (joined once, partitions paused between reads) serve every bronze_kafka activity.
  const kafkaSources = new Map<string, KafkajsSource>();
  const close = async () => {
    const sources = [...kafkaSources.values()];
    kafkaSources.clear();
    try {
      await Promise.all([...sources.map((s) => s.close()), threads?.close()]);
    } finally {
      await connection.close();
    }
  };
  const activities = createActivities({
    ...(threads ? { threads } : {}),
    ...(options.observer ? { observer: options.observer } : {}),
    openStore: (location) => openStore(settings, location),
    openKafka: (brokers) => {
      const key = brokers.join(',');
      let source = kafkaSources.get(key);
      if (!source) kafkaSources.set(key, (source = new KafkajsSource({ brokers })));
      return source;
    },
  });
  try {
    const worker = await Worker.create({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      ...workflowCode(),
      activities,
      maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 4,
      maxConcurrentWorkflowTaskExecutions: 10,
      shutdownGraceTime: options.shutdownGraceTime ?? '30 seconds',
      ...(options.identity ? { identity: options.identity } : {}),
    });
    return { worker, connection, close };
  } catch (e) {
    await close();
    throw e;
  }
}
