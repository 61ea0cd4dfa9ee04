/**
 * The pipeline's activities: thin adapters from Temporal to the lakehouse steps. Dependencies (how to
 * open a lake, a landing zone, a Kafka source; the clock) are injected once by the worker.
 */
import { activityInfo, Context, heartbeat } from '@temporalio/activity';
import { allTables } from '../schema/tables.ts';
import { tablePath } from '../schema/types.ts';
import { downstreamOf, stages, stepByName } from '../lakehouse/steps/graph.ts';
import { Lake } from '../lakehouse/steps/lake.ts';
import { maintainTable, maintenanceDue, recordMaintenance, type TableMaintenance } from '../lakehouse/steps/maintenance.ts';
import { pendingSteps, planStages, type PendingSteps, type PlanFilter } from '../lakehouse/steps/plan.ts';
import { resetSteps, withCoWriters } from '../lakehouse/steps/reset.ts';
import type { KafkaSource } from '../lakehouse/steps/bronze/kafka-source.ts';
import type { StepContext } from '../lakehouse/steps/step.ts';
import type { ObjectStore } from '../lakehouse/storage/index.ts';
import type { WorkerPool } from '../lakehouse/threads/pool.ts';
import type { PipelineLocations, ResetInput, StepSummary, TimedStepSummary } from './types.ts';
import { withActivityFailures } from './errors.ts';
import { runningPipelineOn, type RunningPipeline } from './running-pipelines.ts';
import { observeTableCommit, runObserved, type StepObserver } from './step-observer.ts';

export interface ActivityDeps {
  openStore(location: string): ObjectStore;
  openKafka(brokers: string[]): KafkaSource;
  /** The worker's threads for the steps' CPU-heavy work; none: in the activity's thread. */
  threads?: WorkerPool;
  now?: () => number;
  /** Minimum milliseconds between two heartbeats. @default 1000 */
  heartbeatEveryMs?: number;
  /** Told of every step run (the worker's metrics); none: the steps run unobserved. */
  observer?: StepObserver;
}

export interface StepInput extends PipelineLocations {
  step: string;
}

/** Build the activities with their dependencies (the worker calls this once). */
export function createActivities(deps: ActivityDeps) {
  const now = deps.now ?? Date.now;
  // One Lake per location per worker: it caches open tables between activities.
  const lakes = new Map<string, Lake>();
  const lakeAt = (location: string) => {
    let lake = lakes.get(location);
    if (!lake) lakes.set(location, (lake = new Lake(deps.openStore(location))));
    return lake;
  };
  const contextFor = (input: PipelineLocations): StepContext => ({
    lake: lakeAt(input.lake),
    ...(input.landing ? { landing: deps.openStore(input.landing) } : {}),
    ...(input.landingArchive ? { landingArchive: input.landingArchive } : {}),
    ...(input.kafkaBrokers && input.kafkaBrokers.length > 0 ? { kafka: deps.openKafka(input.kafkaBrokers) } : {}),
    ...(deps.threads ? { threads: deps.threads } : {}),
    now,
  });
  /** A step context whose progress reports heartbeat the current activity, at most every heartbeatEveryMs. */
  const heartbeatingContext = (input: PipelineLocations): StepContext => {
    const every = deps.heartbeatEveryMs ?? 1000;
    let last = 0;
    return {
      ...contextFor(input),
      progress: (update) => {
        const t = Date.now();
        if (t - last < every) return;
        last = t;
        heartbeat(update);
      },
    };
  };

  return withActivityFailures({
    /** Another pipeline run going on this lake than `self` (a scheduled run that finds one is skipped). */
    async otherRunOnLake(input: { lake: string; self: string }): Promise<RunningPipeline | undefined> {
      return runningPipelineOn(Context.current().client, input.lake, input.self);
    },

    /** The step graph's stages (step names), filtered by layer or name: the workflow walks it. */
    async planPipeline(filter: PlanFilter): Promise<string[][]> {
      return planStages(filter);
    },

    /** Of these steps (the stages after the sources, in stage order), those that may have something to do (lakehouse/steps/plan.ts). */
    async pendingSteps(input: PipelineLocations & { steps: string[] }): Promise<PendingSteps> {
      return pendingSteps(lakeAt(input.lake), input.steps);
    },

    /** Run one step to completion, heartbeating progress; a retry resumes from the step's checkpoints. */
    async runStep(input: StepInput): Promise<StepSummary> {
      const step = stepByName(input.step);
      const ctx = heartbeatingContext(input);
      heartbeat({ records: 0, detail: `attempt ${activityInfo().attempt}` });
      return { ...(await runObserved(step, ctx, deps.observer)) };
    },

    /**
     * Run several steps in one activity, in stage order (the steps of a stage together), for a cycle
     * with little new data: in process they take milliseconds, far less than an activity round trip
     * each. A retry runs them all again; each resumes from its checkpoints (a done step finds nothing).
     */
    async runSteps(input: PipelineLocations & { steps: string[] }): Promise<TimedStepSummary[]> {
      const ctx = heartbeatingContext(input);
      heartbeat({ records: 0, detail: `attempt ${activityInfo().attempt}` });
      const out: TimedStepSummary[] = [];
      for (const stage of stages(input.steps.map(stepByName))) {
        out.push(
          ...(await Promise.all(
            stage.map(async (step) => {
              const started = Date.now();
              const result = await runObserved(step, ctx, deps.observer);
              return { ...result, durationMs: Date.now() - started };
            }),
          )),
        );
      }
      return out;
    },

    /** The steps a full refresh from `from` rebuilds: it, everything downstream, and co-writers of their tables. */
    async planReprocess(input: { from: string }): Promise<string[]> {
      return withCoWriters(downstreamOf(input.from)).map((s) => s.name);
    },

    /** Every table of the lake, as `<layer>/<name>`. */
    async listTables(): Promise<string[]> {
      return allTables.map(tablePath);
    },

    /** Compact small files of one table, vacuum files unreferenced for longer than the retention, remove the expired log. */
    async maintainTable(input: { lake: string; table: string; retentionHours: number }): Promise<TableMaintenance> {
      const lake = lakeAt(input.lake);
      const done = await maintainTable(lake, input.table, { retentionHours: input.retentionHours, now });
      // Compaction commits a new version: the table's freshness moves with it.
      const def = allTables.find((t) => tablePath(t) === input.table);
      if (deps.observer && def) await observeTableCommit(lake, def, deps.observer);
      return done;
    },

    /** Whether a once run should maintain the lake: its last recorded maintenance is older than everySeconds. */
    async maintenanceDue(input: { lake: string; everySeconds: number }): Promise<boolean> {
      return maintenanceDue(lakeAt(input.lake), input.everySeconds, now());
    },

    /** Record that the lake was maintained now (once runs read it to know when maintenance is due). */
    async recordMaintenance(input: { lake: string }): Promise<number> {
      const at = now();
      await recordMaintenance(lakeAt(input.lake), at);
      return at;
    },

    /** Forget what the steps produced (tables emptied, checkpoints reset) so they rebuild from their inputs. */
    async resetSteps(input: ResetInput): Promise<Record<string, number>> {
      return resetSteps(lakeAt(input.lake), input.steps.map(stepByName), now);
    },
  });
}

export type PipelineActivities = ReturnType<typeof createActivities>;
