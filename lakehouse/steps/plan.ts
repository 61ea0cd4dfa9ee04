/**
 * What a pipeline run or cycle should run, from the step graph (graph.ts) and the lake: the stages of
 * the chosen steps, and which of them may have new input. Plain functions over the lake, so the
 * orchestrator's activities only adapt them (activities/pipeline-activities.ts).
 */
import { quarantineRecords } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import type { AddAction } from '../table/log/index.ts';
import { STEPS, stages, stepByName } from './graph.ts';
import { nothingToRead, planUpstream } from './incremental.ts';
import type { Lake } from './lake.ts';
import type { SourceInput, Step } from './step.ts';

export type Layer = Step['layer'];

/** Which steps a run takes, and which sources it has. */
export interface PlanFilter {
  /** Only these steps (by name); default all. */
  steps?: readonly string[];
  /** Only steps of these layers; default all. */
  layers?: readonly Layer[];
  /** Whether a Kafka broker is configured. */
  kafka: boolean;
  /** Whether a landing zone is configured. */
  landing: boolean;
}

/** The stages (step names) of the steps the filter takes: a step whose sources are none of those configured has nothing to run. */
export function planStages(filter: PlanFilter): string[][] {
  for (const name of filter.steps ?? []) stepByName(name);
  const configured = (source: SourceInput) => (source.kind === 'kafka' ? filter.kafka : filter.landing);
  const chosen = STEPS.filter(
    (s) =>
      (!filter.steps || filter.steps.includes(s.name)) &&
      (!filter.layers || filter.layers.includes(s.layer)) &&
      !(s.sources && s.sources.length > 0 && !s.sources.some(configured)),
  );
  return stages(chosen).map((stage) => stage.map((s) => s.name));
}

/** The steps after the sources that may have new input this cycle. */
export interface PendingSteps {
  steps: string[];
  /**
   * Rows in upstream files not yet read by those of the steps whose tables already hold new input
   * (Number.MAX_SAFE_INTEGER when not countable). Rows the sources add in this cycle come on top.
   */
  backlogRows: number;
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

/**
 * Of these steps (the stages after the sources, in stage order), those that may have something to do:
 * a step whose upstream tables hold versions past its checkpoints, or that reads a table written by
 * such a step (it may get new input in this cycle). Conservative: a step with an outside source, or not
 * exactly one target, or without a checkpoint for each input (never ran, or does not keep incremental
 * checkpoints) counts as pending.
 */
export async function pendingSteps(lake: Lake, names: readonly string[]): Promise<PendingSteps> {
  const chosen = names.map(stepByName);
  let backlogRows = 0;
  // One quarantine snapshot for every step's plan: its checkpoints of all steps are in it.
  const quarantine = (await lake.table(quarantineRecords)).snapshot;
  const hasNewInput = async (step: Step): Promise<boolean> => {
    if (step.writes.length !== 1 || (step.sources?.length ?? 0) > 0) {
      backlogRows = Infinity;
      return true;
    }
    const target = (await lake.table(step.writes[0]!)).snapshot;
    const ranges = await Promise.all(step.reads.map((def) => planUpstream(lake, step.name, target, quarantine, def)));
    if (nothingToRead(ranges)) return false;
    for (const r of ranges) if (r.since === undefined || r.until > r.since) backlogRows += rowsOf(r.files);
    return true;
  };
  const fresh = await Promise.all(chosen.map(hasNewInput));
  const pending = new Set<Step>();
  // Stage order: a step's upstream writers among the chosen come before it.
  for (const stage of stages(chosen)) {
    for (const step of stage) {
      const reads = step.reads.map(tablePath);
      const fed = [...pending].some((u) => u.writes.some((w) => reads.includes(tablePath(w))));
      if (fresh[chosen.indexOf(step)] || fed) pending.add(step);
    }
  }
  // JSON has no Infinity: "not countable" travels as the largest safe integer.
  return { steps: chosen.filter((s) => pending.has(s)).map((s) => s.name), backlogRows: Number.isFinite(backlogRows) ? backlogRows : Number.MAX_SAFE_INTEGER };
}
