/**
 * The pipeline workflow: walks the step graph stage by stage, the steps of a stage in parallel as
 * activities. After the first stage (the sources) of each cycle it asks which later steps may have new
 * input, skips the others, and runs a small cycle's pending steps in one activity. Mode `once` processes
 * what is available and completes; mode `continuous` repeats every `everySeconds` until the `stop`
 * signal, continuing as new before its history grows large. A continuous run outlives a failing cycle
 * (its step's activity out of retries): the failure is recorded (progress query, the UI's current
 * details, `fitlake status`) and the next cycle comes after a backoff; only a configuration error ends
 * the run. Between its cycles a continuous run maintains its tables every maintenanceEverySeconds (an
 * hour by default). A scheduled run that finds another run going on its lake is skipped.
 * Deterministic: no I/O, clock or randomness here; the graph itself comes from the planPipeline activity.
 */
import { ActivityFailure, ApplicationFailure, condition, continueAsNew, defineQuery, defineSignal, patched, proxyActivities, proxyLocalActivities, setCurrentDetails, setHandler, workflowInfo, log } from '@temporalio/workflow';
import type { PipelineActivities } from '../activities/pipeline-activities.ts';
import { LOCAL_QUICK_ACTIVITY, QUICK_ACTIVITY, STEP_ACTIVITY } from './retry-policy.ts';
import type { CycleFailure, PipelineInput, PipelineProgress, PipelineResult, StepProgress, StepSummary } from '../activities/types.ts';
import { maintainLake } from './maintenance.ts';

const { planPipeline } = proxyActivities<PipelineActivities>(QUICK_ACTIVITY);
// Planning and the pending-input check read a little metadata: local activities, run by the worker inside
// the workflow task, without a round trip through the task queue.
const local = proxyLocalActivities<PipelineActivities>(LOCAL_QUICK_ACTIVITY);

/**
 * Patch id of the skipping of steps without new input (with local planning and small cycles in one
 * activity). Runs recorded before it (no marker in their history) replay the old command sequence: plan
 * as an activity, an activity for every step every cycle.
 */
export const SKIP_IDLE_STEPS_PATCH = 'skip-steps-without-input';

/**
 * Patch id of continuous runs that outlive failing cycles: a stage waits for all of its steps before a
 * failure is handled, and a failed cycle is followed by a backoff timer instead of ending the run.
 */
export const OUTLIVE_FAILURES_PATCH = 'continuous-runs-outlive-failures';

/** Patch id of skipping a scheduled run when another run is going on its lake (one more local activity). */
export const SKIP_OVERLAPPING_PATCH = 'skip-scheduled-run-on-busy-lake';

/**
 * Patch id of table maintenance inside continuous runs (every maintenanceEverySeconds, between cycles):
 * runs recorded before it never maintained, and replay without the maintenance activities.
 */
export const MAINTAIN_IN_CONTINUOUS_PATCH = 'maintenance-in-continuous-runs';

/**
 * Patch id of table maintenance at the end of once runs whose lake was last maintained (by a once run)
 * longer than maintenanceEverySeconds ago: runs recorded before it end right after their cycle.
 */
export const MAINTAIN_IN_ONCE_PATCH = 'maintenance-in-once-runs';

/** Default seconds between two maintenances of a continuous run. */
export const DEFAULT_MAINTENANCE_EVERY_SECONDS = 3600;

/** The wait after failed cycles in a row doubles from everySeconds up to this (or everySeconds, if longer). */
export const MAX_FAILURE_BACKOFF_SECONDS = 300;

/** Seconds to wait after the n-th failed cycle in a row: never less than the trigger interval. */
export function failureBackoffSeconds(everySeconds: number, consecutive: number): number {
  return Math.max(everySeconds, Math.min(MAX_FAILURE_BACKOFF_SECONDS, everySeconds * 2 ** (consecutive - 1)));
}

/** A configuration error ends a continuous run: no retry fixes it (activities/errors.ts names the type). */
function isConfigError(e: unknown): boolean {
  return e instanceof ActivityFailure && e.cause instanceof ApplicationFailure && e.cause.type === 'ConfigError';
}

export const progressQuery = defineQuery<PipelineProgress>('progress');
export const stopSignal = defineSignal('stop');

/**
 * A cycle whose sources added at most this many rows (with the backlog the pending check found) runs its
 * later steps together in one activity: in process that is milliseconds, where an activity per step and
 * a workflow task per stage cost a round trip each. Bigger cycles get an activity per step, in parallel.
 */
export const SMALL_CYCLE_ROWS = 10_000;

/** Continue as new after this many events: well below Temporal's limits, cheap to replay. */
const MAX_HISTORY_EVENTS = 5_000;

function summaryLine(p: StepProgress): string {
  const versions = Object.entries(p.versions).map(([t, v]) => `${t}@v${v}`).join(' ');
  const error = p.lastError ? ` — ${p.lastError}` : '';
  return `${p.step}: ${p.state}, ${p.recordsIn} in, ${p.rowsWritten} written, ${p.quarantined} quarantined, ${p.duplicates ?? 0} duplicate(s) ${versions}${error}`.trim();
}

/** The failure as the Temporal UI's current details show it (Markdown). */
function failureDetails(f: CycleFailure): string {
  const retry = new Date(f.retryAt).toISOString();
  return `**Cycle ${f.cycle} failed** at step \`${f.step}\` (${f.consecutive} failed cycle(s) in a row): ${f.error}\n\nThe next cycle starts at ${retry}.`;
}

export async function pipelineWorkflow(input: PipelineInput): Promise<PipelineResult> {
  let stopping = false;
  let cycle = input.cyclesDone ?? 0;
  let steps: StepProgress[] = [];
  let failure: CycleFailure | undefined;
  setHandler(stopSignal, () => {
    stopping = true;
  });
  let maintenance: PipelineProgress['maintenance'];
  setHandler(progressQuery, () => ({ mode: input.mode, cycle, stopping, steps, ...(failure ? { failure } : {}), ...(maintenance ? { maintenance } : {}) }));
  if (input.trigger === 'schedule' && patched(SKIP_OVERLAPPING_PATCH)) {
    // A schedule's own runs never overlap (its overlap policy skips them); a manual run beside it is
    // found here. The check and the start are not atomic: correctness never rests on it.
    const other = await local.otherRunOnLake({ lake: input.lake, self: workflowInfo().workflowId });
    if (other) {
      log.info('scheduled run skipped: another run is going on the lake', { other: other.workflowId });
      return { cycles: 0, summary: [`skipped: run ${other.workflowId} (${other.mode}) is going on ${input.lake}`], steps: [], skippedFor: other };
    }
  }
  // Per run, so a run can ask for a shorter heartbeat timeout (faster takeover of a dead worker's step).
  const { runStep, runSteps } = proxyActivities<PipelineActivities>({
    ...STEP_ACTIVITY,
    ...(input.heartbeatTimeoutSeconds ? { heartbeatTimeout: input.heartbeatTimeoutSeconds * 1000 } : {}),
    ...(input.stepMaximumAttempts ? { retry: { ...STEP_ACTIVITY.retry, maximumAttempts: input.stepMaximumAttempts } } : {}),
  });

  const skipIdle = patched(SKIP_IDLE_STEPS_PATCH);
  const outlive = input.mode === 'continuous' && patched(OUTLIVE_FAILURES_PATCH);
  /** All of the stage's work, settled before a failure is handled (under the patch), the first failure rethrown. */
  const allOf = async (work: Promise<void>[]) => {
    if (!outlive) {
      await Promise.all(work);
      return;
    }
    const failed = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  };
  const filter = {
    ...(input.steps ? { steps: input.steps } : {}),
    ...(input.layers ? { layers: input.layers } : {}),
    kafka: (input.kafkaBrokers?.length ?? 0) > 0,
    landing: input.landing !== undefined,
  };
  const plan = skipIdle ? await local.planPipeline(filter) : await planPipeline(filter);
  const locations = {
    lake: input.lake,
    ...(input.landing ? { landing: input.landing } : {}),
    ...(input.landingArchive ? { landingArchive: input.landingArchive } : {}),
    ...(input.kafkaBrokers ? { kafkaBrokers: input.kafkaBrokers } : {}),
  };
  const failed = (progress: StepProgress, e: unknown) => {
    progress.state = 'failed';
    progress.lastError = (e as Error).cause instanceof Error ? ((e as Error).cause as Error).message : (e as Error).message;
  };
  /** The given steps in one activity (a small cycle); each reports its own result. */
  const runTogether = async (group: StepProgress[]) => {
    for (const p of group) p.state = 'running';
    const started = Date.now();
    try {
      const results = await runSteps({ ...locations, steps: group.map((p) => p.step) });
      for (const r of results) {
        const progress = group.find((p) => p.step === r.step)!;
        Object.assign(progress, { state: 'succeeded', recordsIn: r.recordsIn, rowsWritten: r.rowsWritten, quarantined: r.quarantined, duplicates: r.duplicates, versions: r.versions, durationMs: r.durationMs });
      }
    } catch (e) {
      for (const p of group) {
        failed(p, e);
        p.durationMs = Date.now() - started;
      }
      throw e;
    }
  };

  /** One cycle over the plan; throws the first failure of a stage. */
  const runCycle = async () => {
    steps = plan.flatMap((stage, i) => stage.map((step) => ({ step, stage: i, state: 'pending' as const, recordsIn: 0, rowsWritten: 0, quarantined: 0, versions: {} })));
    // Steps after the first stage run only when they may have new input (asked once per cycle, after the
    // first stage, which holds the sources): a cycle with nothing new costs one stage of activities, and
    // one with little new data one more activity (SMALL_CYCLE_ROWS).
    let pending: Set<string> | undefined;
    let sourceRows = 0;
    for (const [index, stage] of plan.entries()) {
      if (skipIdle && index === 1) {
        const found = await local.pendingSteps({ ...locations, steps: plan.slice(1).flat() });
        pending = new Set(found.steps);
        for (const s of steps) if (s.stage > 0 && !pending.has(s.step)) s.state = 'skipped';
        if (pending.size > 0 && sourceRows + found.backlogRows <= SMALL_CYCLE_ROWS) {
          await runTogether(steps.filter((s) => pending!.has(s.step)));
          return;
        }
      }
      await allOf(
        stage.filter((name) => !pending || pending.has(name)).map(async (name) => {
          const progress = steps.find((s) => s.step === name)!;
          progress.state = 'running';
          const started = Date.now();
          try {
            const result: StepSummary = await runStep({ ...locations, step: name });
            Object.assign(progress, { state: 'succeeded', recordsIn: result.recordsIn, rowsWritten: result.rowsWritten, quarantined: result.quarantined, duplicates: result.duplicates, versions: result.versions });
            if (index === 0) sourceRows += result.rowsWritten + result.quarantined;
          } catch (e) {
            failed(progress, e);
            throw e;
          } finally {
            progress.durationMs = Date.now() - started;
          }
        }),
      );
    }
  };

  // Maintenance between the cycles of a continuous run, in the run itself: never beside one of its
  // steps, and with nothing for an operator to set up. Compaction keeps to what every reader consumed
  // and cleanup to the commits they read, so it changes no result (lakehouse/steps/maintenance.ts).
  const maintainEveryMs = (input.maintenanceEverySeconds ?? DEFAULT_MAINTENANCE_EVERY_SECONDS) * 1000;
  const maintains = input.mode === 'continuous' && maintainEveryMs > 0 && patched(MAINTAIN_IN_CONTINUOUS_PATCH);
  let maintainedAt = input.maintainedAt ?? Date.now();
  /** A maintenance activity's failure, recorded for the progress query: maintenance is housekeeping and never ends a run. */
  const maintenanceFailed = (e: unknown, at: number, retry: string) => {
    if (!(e instanceof ActivityFailure)) throw e;
    maintenance = { at, summary: [], error: (e.cause ?? e).message };
    log.warn(`table maintenance failed; ${retry}`, { error: maintenance.error });
  };
  const maintainIfDue = async () => {
    if (!maintains || Date.now() - maintainedAt < maintainEveryMs) return;
    maintainedAt = Date.now();
    try {
      const summary = await maintainLake(input.lake, input.maintenanceRetentionHours ?? 168);
      maintenance = { at: maintainedAt, summary };
      log.info('table maintenance done', { summary });
    } catch (e) {
      maintenanceFailed(e, maintainedAt, 'tried again at its next due time');
    }
  };

  // A once run (a schedule's, typically every few minutes) maintains the lake after its cycle when the
  // lake's last such maintenance, recorded in the lake, is older than maintenanceEverySeconds: scheduled
  // once runs keep the tables compacted and the log trimmed as a continuous run does.
  const maintainOnceIfDue = async () => {
    if (maintainEveryMs <= 0 || !patched(MAINTAIN_IN_ONCE_PATCH)) return;
    try {
      if (!(await local.maintenanceDue({ lake: input.lake, everySeconds: maintainEveryMs / 1000 }))) return;
      const summary = await maintainLake(input.lake, input.maintenanceRetentionHours ?? 168);
      maintenance = { at: await local.recordMaintenance({ lake: input.lake }), summary };
      log.info('table maintenance done', { summary });
    } catch (e) {
      // Not recorded: the next once run tries again.
      maintenanceFailed(e, Date.now(), 'the next once run tries again');
    }
  };

  for (;;) {
    cycle++;
    const cycleStart = Date.now();
    let waitMs = (input.everySeconds ?? 5) * 1000;
    try {
      await runCycle();
      if (failure) {
        log.info('pipeline cycle succeeded after failed cycles', { cycle, failedCycles: failure.consecutive });
        failure = undefined;
        setCurrentDetails('');
      }
    } catch (e) {
      if (!outlive || isConfigError(e) || !(e instanceof ActivityFailure)) throw e;
      const consecutive = (failure?.consecutive ?? 0) + 1;
      waitMs = failureBackoffSeconds(input.everySeconds ?? 5, consecutive) * 1000;
      const step = steps.find((s) => s.state === 'failed');
      failure = { cycle, step: step?.step ?? '?', error: step?.lastError ?? (e as Error).message, at: Date.now(), retryAt: cycleStart + waitMs, consecutive };
      log.warn('pipeline cycle failed; the next cycle tries again', { ...failure });
      setCurrentDetails(failureDetails(failure));
    }
    log.info('pipeline cycle done', { cycle, steps: steps.map(summaryLine) });
    if (input.mode === 'once') {
      if (!failure) await maintainOnceIfDue();
      break;
    }
    if (stopping) break;
    if (!failure) await maintainIfDue();
    if (stopping) break;
    // Sleep until the next trigger, everySeconds (or the failure backoff) after this cycle's start
    // (workflow time, deterministic), waking early on the stop signal. Always a timer, at least 1 ms, so
    // the commands match older histories.
    const wait = waitMs - (Date.now() - cycleStart);
    if (await condition(() => stopping, Math.max(1, wait))) break;
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS) {
      await continueAsNew<typeof pipelineWorkflow>({ ...input, cyclesDone: cycle, ...(maintains ? { maintainedAt } : {}) });
    }
  }
  return { cycles: cycle, summary: steps.map(summaryLine), steps, ...(maintenance ? { maintenance } : {}) };
}
