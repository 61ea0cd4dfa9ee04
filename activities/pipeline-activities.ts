/**
 * The pipeline's activities: thin adapters from Temporal to the lakehouse steps. Dependencies (how to
 * open a lake, a landing zone, a Kafka source; the clock) are injected once by the worker.
 */
import { activityInfo, Context, heartbeat } from '@temporalio/activity';
import { allTables, quarantineRecords } from '../schema/tables.ts';
import { tablePath } from '../schema/types.ts';
import { downstreamOf, STEPS, stages, stepByName } from '../lakehouse/steps/graph.ts';
import { nothingToRead, planUpstream } from '../lakehouse/steps/incremental.ts';
import { Lake } from '../lakehouse/steps/lake.ts';
import { compactConsumed, vacuumConsumed } from '../lakehouse/steps/maintenance.ts';
import { resetSteps, withCoWriters } from '../lakehouse/steps/reset.ts';
import type { KafkaSource } from '../lakehouse/steps/bronze/kafka-source.ts';
import type { Step, StepContext } from '../lakehouse/steps/step.ts';
import type { ObjectStore } from '../lakehouse/storage/index.ts';
import type { WorkerPool } from '../lakehouse/threads/pool.ts';
import type { AddAction } from '../lakehouse/table/log/index.ts';
import type { Layer, PendingSteps, PipelineLocations, ResetInput, StepSummary, TimedStepSummary } from '../workflows/types.ts';
import { toActivityFailure } from './errors.ts';
import { runningPipelineOn, type RunningPipeline } from './running-pipelines.ts';
import { ConfigError } from '../lakehouse/errors.ts';

export interface ActivityDeps {
  openStore(location: string): ObjectStore;
  openKafka(brokers: string[]): KafkaSource;
  /** The worker's threads for the steps' CPU-heavy work; none: in the activity's thread. */
  threads?: WorkerPool;
  now?: () => number;
  /** Minimum milliseconds between two heartbeats. @default 1000 */
  heartbeatEveryMs?: number;
}

export interface StepInput extends PipelineLocations {
  step: string;
}

/** Rows in upstream files a table is built from: their statistics' counts, Infinity when a file has none. */
function rowsOf(files: readonly AddAction[]): number {
  let n = 0;
  for (const add of files) {
    const stats = add.stats ? (JSON.parse(add.stats) as { numRecords?: unknown }) : {};
    n += typeof stats.numRecords === 'number' ? stats.numRecords : Infinity;
  }
  return n;
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

  return {
    /** Another pipeline run going on this lake than `self` (a scheduled run that finds one is skipped). */
    async otherRunOnLake(input: { lake: string; self: string }): Promise<RunningPipeline | undefined> {
      return runningPipelineOn(Context.current().client, input.lake, input.self);
    },

    /** The step graph's stages (step names), filtered by layer or name: the workflow walks it. */
    async planPipeline(filter: { steps?: string[]; layers?: Layer[]; kafka: boolean; landing: boolean }): Promise<string[][]> {
      const chosen = STEPS.filter(
        (s) =>
          (!filter.steps || filter.steps.includes(s.name)) &&
          (!filter.layers || filter.layers.includes(s.layer)) &&
          // A source that is not configured has nothing to run.
          !(s.name === 'bronze_kafka' && !filter.kafka) &&
          !(s.reads.every((r) => typeof r === 'string' && r.startsWith('landing:')) && !filter.landing),
      );
      for (const name of filter.steps ?? []) stepByName(name);
      return stages(chosen).map((stage) => stage.map((s) => s.name));
    },

    /**
     * Of these steps (the stages after the sources, in stage order), those that may have something to do:
     * a step whose upstream tables hold versions past its checkpoints, or that reads a table written by
     * such a step (it may get new input in this cycle). Conservative: a step with an input other than a
     * table, or not exactly one target, or without a checkpoint for each input (never ran, or does not
     * keep incremental checkpoints) counts as pending.
     */
    async pendingSteps(input: PipelineLocations & { steps: string[] }): Promise<PendingSteps> {
      try {
        const lake = lakeAt(input.lake);
        const chosen = input.steps.map(stepByName);
        let backlogRows = 0;
        // One quarantine snapshot for every step's plan: its checkpoints of all steps are in it.
        const quarantine = (await lake.table(quarantineRecords)).snapshot;
        const hasNewInput = async (step: Step): Promise<boolean> => {
          if (step.writes.length !== 1 || step.reads.some((r) => typeof r === 'string')) {
            backlogRows = Infinity;
            return true;
          }
          const target = (await lake.table(step.writes[0]!)).snapshot;
          const ranges = await Promise.all(step.reads.map((def) => planUpstream(lake, step.name, target, quarantine, def as Exclude<typeof def, string>)));
          if (nothingToRead(ranges)) return false;
          for (const r of ranges) if (r.since === undefined || r.until > r.since) backlogRows += rowsOf(r.files);
          return true;
        };
        const fresh = await Promise.all(chosen.map(hasNewInput));
        const pending = new Set<Step>();
        // Stage order: a step's upstream writers among the chosen come before it.
        for (const stage of stages(chosen)) {
          for (const step of stage) {
            const reads = step.reads.filter((r) => typeof r !== 'string').map((r) => tablePath(r as Exclude<typeof r, string>));
            const fed = [...pending].some((u) => u.writes.some((w) => reads.includes(tablePath(w))));
            if (fresh[chosen.indexOf(step)] || fed) pending.add(step);
          }
        }
        // JSON has no Infinity: "not countable" travels as the largest safe integer.
        return { steps: chosen.filter((s) => pending.has(s)).map((s) => s.name), backlogRows: Number.isFinite(backlogRows) ? backlogRows : Number.MAX_SAFE_INTEGER };
      } catch (e) {
        throw toActivityFailure(e);
      }
    },

    /** Run one step to completion, heartbeating progress; a retry resumes from the step's checkpoints. */
    async runStep(input: StepInput): Promise<StepSummary> {
      const step = stepByName(input.step);
      const ctx = heartbeatingContext(input);
      heartbeat({ records: 0, detail: `attempt ${activityInfo().attempt}` });
      try {
        const result = await step.run(ctx);
        return { ...result };
      } catch (e) {
        throw toActivityFailure(e);
      }
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
      try {
        for (const stage of stages(input.steps.map(stepByName))) {
          out.push(
            ...(await Promise.all(
              stage.map(async (step) => {
                const started = Date.now();
                const result = await step.run(ctx);
                return { ...result, durationMs: Date.now() - started };
              }),
            )),
          );
        }
        return out;
      } catch (e) {
        throw toActivityFailure(e);
      }
    },

    /** The steps a full refresh from `from` rebuilds: it, everything downstream, and co-writers of their tables. */
    async planReprocess(input: { from: string }): Promise<string[]> {
      return withCoWriters(downstreamOf(input.from)).map((s) => s.name);
    },

    /** Every table of the lake, as `<layer>/<name>`. */
    async listTables(): Promise<string[]> {
      return allTables.map(tablePath);
    },

    /** Compact small files of one table, then vacuum files unreferenced for longer than the retention. */
    async maintainTable(input: { lake: string; table: string; retentionHours: number }): Promise<{ filesRemoved: number; filesAdded: number; vacuumed: number }> {
      const def = allTables.find((t) => tablePath(t) === input.table);
      if (!def) throw toActivityFailure(new ConfigError(`no table ${input.table}`, { setting: 'table', value: input.table }));
      try {
        const lake = lakeAt(input.lake);
        const compacted = await compactConsumed(lake, def, { now });
        const vacuumed = await vacuumConsumed(lake, def, { retentionHours: input.retentionHours, now });
        return { filesRemoved: compacted.filesRemoved, filesAdded: compacted.filesAdded, vacuumed: vacuumed.deleted.length };
      } catch (e) {
        throw toActivityFailure(e);
      }
    },

    /** Forget what the steps produced (tables emptied, checkpoints reset) so they rebuild from their inputs. */
    async resetSteps(input: ResetInput): Promise<Record<string, number>> {
      try {
        return await resetSteps(lakeAt(input.lake), input.steps.map(stepByName), now);
      } catch (e) {
        throw toActivityFailure(e);
      }
    },
  };
}

export type PipelineActivities = ReturnType<typeof createActivities>;
