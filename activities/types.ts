/**
 * Types shared by the pipeline workflow, its activities and its clients: what travels between them.
 * Types only (nothing here runs), so the workflow sandbox can import them; they live on the activities'
 * side, below the workflows, as the layer plan has it.
 */

import type { Layer, PendingSteps } from '../lakehouse/steps/plan.ts';
import type { StepResult } from '../lakehouse/steps/step.ts';

export type { Layer, PendingSteps };
export type Trigger = 'manual' | 'schedule';

/** Where the pipeline reads and writes; serializable so it can travel in workflow inputs. */
export interface PipelineLocations {
  /** Lake root: a folder, `file://…`, or `az://container/prefix`. */
  lake: string;
  /** Landing zone root (same forms), when file sources are used. */
  landing?: string;
  /** Folder of the landing zone that fully ingested files are moved into (StepContext.landingArchive). */
  landingArchive?: string;
  /** Kafka bootstrap servers, when the broker is a source. */
  kafkaBrokers?: string[];
}

export interface PipelineInput extends PipelineLocations {
  mode: 'once' | 'continuous';
  /** Continuous mode: seconds between the starts of two cycles. @default 5 */
  everySeconds?: number;
  /** Only these steps (by name); default all. */
  steps?: string[];
  /** Only steps of these layers; default all. */
  layers?: Layer[];
  /** @default 'manual' */
  trigger?: Trigger;
  /** Carried across continue-as-new: cycles completed before this run. */
  cyclesDone?: number;
  /**
   * Override of the step activities' heartbeat timeout: how soon a step whose worker died is retried
   * elsewhere. Steps heartbeat at least every few seconds. @default 120 (STEP_ACTIVITY)
   */
  heartbeatTimeoutSeconds?: number;
  /**
   * Override of how many attempts a step's activity gets within one cycle before the cycle fails (a
   * continuous run then tries again next cycle, after a backoff). @default 20 (STEP_ACTIVITY)
   */
  stepMaximumAttempts?: number;
  /**
   * Table maintenance (compaction of consumed small files, vacuum past `maintenanceRetentionHours`,
   * expired log cleanup) every this many seconds; 0 switches it off. Continuous mode: between cycles, by
   * workflow time. Once mode: after the cycle, when the lake's last maintenance (recorded in the lake by
   * any once run) is older than this. @default 3600
   */
  maintenanceEverySeconds?: number;
  /** Vacuum retention of that maintenance. @default 168 (a week, Delta's default) */
  maintenanceRetentionHours?: number;
  /** Carried across continue-as-new: workflow time of the last maintenance (or of the run's start). */
  maintainedAt?: number;
}

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped';

/** A step's summary as the activity returns it: the lakehouse step result (a type only, no code crosses into the sandbox). */
export type StepSummary = StepResult;

/** A step's summary with how long it ran (milliseconds), when steps run together in one activity. */
export type TimedStepSummary = StepSummary & { durationMs: number };

export interface StepProgress {
  step: string;
  stage: number;
  state: StepState;
  recordsIn: number;
  rowsWritten: number;
  quarantined: number;
  /** Records kept by the semantics but not written again: they repeat what is there (with written and quarantined, how the records in were spent). */
  duplicates?: number;
  versions: Record<string, number>;
  /** Milliseconds the last attempt took (workflow time). */
  durationMs?: number;
  lastError?: string;
}

/** A continuous run's cycle that failed: the run records it, waits, and tries again. */
export interface CycleFailure {
  cycle: number;
  step: string;
  error: string;
  /** Workflow time of the failure and of the next try, milliseconds since the epoch. */
  at: number;
  retryAt: number;
  /** Failed cycles in a row, this one included. */
  consecutive: number;
}

export interface PipelineProgress {
  mode: PipelineInput['mode'];
  cycle: number;
  stopping: boolean;
  steps: StepProgress[];
  /** The last failed cycle of a continuous run, until a cycle succeeds. */
  failure?: CycleFailure;
  /** The last maintenance of a continuous run: when (workflow time) and what it did, a line per table. */
  maintenance?: { at: number; summary: string[]; error?: string };
}

export interface PipelineResult {
  cycles: number;
  /** One line per step, made to read well in the Temporal UI. */
  summary: string[];
  steps: StepProgress[];
  /** A scheduled run that did not start because another run was going on the lake: that run. */
  skippedFor?: { workflowId: string; mode: string };
  /** The maintenance this run did, if any (see PipelineProgress.maintenance). */
  maintenance?: { at: number; summary: string[]; error?: string };
}

export interface ResetInput extends PipelineLocations {
  steps: string[];
}
