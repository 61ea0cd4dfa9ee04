/**
 * What a worker may learn of the steps its activities run, for its metrics: each run's outcome, time
 * and figures (the StepResult the step returned, nothing estimated), the Kafka lag left after a Kafka
 * step, and the latest commit time of the tables a step wrote. The activities call `runObserved`; the
 * worker injects the observer (workers/metrics/), or none, and then nothing extra is read.
 */
import { quarantineRecords } from '../schema/tables.ts';
import { tablePath, type TableDef } from '../schema/types.ts';
import type { Lake } from '../lakehouse/steps/lake.ts';
import type { Step, StepContext, StepResult } from '../lakehouse/steps/step.ts';
import { kafkaLag, type PartitionLag } from './kafka-lag.ts';

export interface StepObserver {
  /** A step ran to completion; `seconds` of wall time. */
  stepSucceeded(result: StepResult, seconds: number): void;
  /** A step threw (this attempt; the activity's retry is another run). */
  stepFailed(step: string, seconds: number): void;
  /** Per topic-partition, what the broker holds beyond the lake's Kafka checkpoint, after a Kafka step ran. */
  kafkaLag(lags: readonly PartitionLag[]): void;
  /** The latest commit of a table (`<layer>/<name>`), milliseconds since the epoch. */
  tableCommitted(table: string, atMs: number): void;
  /** Reading the lag or the commit times failed; the step's own outcome stands. */
  observationFailed?(what: string, error: unknown): void;
}

/** Run a step; tell the observer how it went, and after a success what it left behind (lag, table commit times). */
export async function runObserved(step: Step, ctx: StepContext, observer: StepObserver | undefined): Promise<StepResult> {
  if (!observer) return step.run(ctx);
  const started = performance.now();
  let result: StepResult;
  try {
    result = await step.run(ctx);
  } catch (e) {
    observer.stepFailed(step.name, (performance.now() - started) / 1000);
    throw e;
  }
  observer.stepSucceeded(result, (performance.now() - started) / 1000);
  await observeAftermath(step, ctx, result, observer);
  return result;
}

/** The lag and commit times after a step: a few small reads, never a reason for the step to fail. */
async function observeAftermath(step: Step, ctx: StepContext, result: StepResult, observer: StepObserver): Promise<void> {
  const topics = (step.sources ?? []).flatMap((s) => (s.kind === 'kafka' ? [s.topic] : []));
  const kafka = ctx.kafka;
  const tables = result.quarantined > 0 ? [...step.writes, quarantineRecords] : step.writes;
  await Promise.all([
    topics.length > 0 && kafka
      ? kafkaLag(ctx.lake, kafka, topics).then(
          (lags) => observer.kafkaLag(lags),
          (e: unknown) => observer.observationFailed?.('kafka lag', e),
        )
      : undefined,
    ...tables.map((def) => observeTableCommit(ctx.lake, def, observer)),
  ]);
}

/** Tell the observer the commit time of a table's newest version (after a step or a maintenance wrote it); never throws. */
export async function observeTableCommit(lake: Lake, def: TableDef, observer: StepObserver): Promise<void> {
  try {
    observer.tableCommitted(tablePath(def), (await lake.table(def)).snapshot.timestamp);
  } catch (e) {
    observer.observationFailed?.(`commit time of ${tablePath(def)}`, e);
  }
}
