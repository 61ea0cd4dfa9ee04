/**
 * The worker's Prometheus metrics, in a registry of its own (several workers in one process, as in
 * tests, each count their own): per step, runs, failures, durations and the figures its StepResult
 * reports; per Kafka topic-partition, the lag after the last Kafka step; per table, the time of its
 * latest commit and, computed at scrape time, the seconds since. Labels are bounded by the code, never
 * by the data: step names (the graph), table paths (the schema), topics and partitions (the broker's).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { StepObserver } from '../../activities/step-observer.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';

/** Seconds: a step with nothing new takes milliseconds, a backlog minutes. */
const STEP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export interface WorkerMetrics {
  readonly registry: Registry;
  /** What the activities tell (ActivityDeps.observer). */
  readonly observer: StepObserver;
}

export interface WorkerMetricsOptions {
  /** Clock of the freshness gauge, milliseconds. @default Date.now */
  now?: () => number;
  /** Where a failed lag or commit-time read is told. @default nowhere */
  onObservationError?: (what: string, error: unknown) => void;
}

/** A registry with the worker's metrics and the observer that records them. */
export function createWorkerMetrics({ now = Date.now, onObservationError }: WorkerMetricsOptions = {}): WorkerMetrics {
  const registry = new Registry();
  // The process's own figures (memory, CPU, event loop delay, GC), prom-client's standard set.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const runs = new Counter({ name: 'fitlake_step_runs_total', help: 'Step runs finished, successful or not (each activity attempt is a run).', labelNames: ['step'], registers });
  const failures = new Counter({ name: 'fitlake_step_failures_total', help: 'Step runs that failed.', labelNames: ['step'], registers });
  const duration = new Histogram({ name: 'fitlake_step_duration_seconds', help: 'Wall time of a step run, successful or not.', labelNames: ['step', 'outcome'], buckets: STEP_DURATION_BUCKETS, registers });
  const recordsRead = new Counter({ name: 'fitlake_step_records_read_total', help: 'Upstream records or source lines the step runs looked at (StepResult.recordsIn).', labelNames: ['step'], registers });
  const rowsWritten = new Counter({ name: 'fitlake_step_rows_written_total', help: 'Rows inserted or updated in the steps’ target tables (StepResult.rowsWritten).', labelNames: ['step'], registers });
  const quarantined = new Counter({ name: 'fitlake_step_records_quarantined_total', help: 'Records the step runs sent to quarantine (StepResult.quarantined).', labelNames: ['step'], registers });
  const duplicates = new Counter({ name: 'fitlake_step_records_duplicate_total', help: 'Records kept by the semantics but not written again, as they repeat what is there (StepResult.duplicates).', labelNames: ['step'], registers });
  const lag = new Gauge({ name: 'fitlake_kafka_lag_records', help: 'Records on the broker beyond the lake’s Kafka checkpoint, as of the last Kafka step run.', labelNames: ['topic', 'partition'], registers });
  const lastCommit = new Gauge({ name: 'fitlake_table_last_commit_timestamp_seconds', help: 'Commit time of the table’s latest version seen after a step wrote it, seconds since the epoch.', labelNames: ['table'], registers });
  const commitTimes = new Map<string, number>();
  new Gauge({
    name: 'fitlake_table_freshness_seconds',
    help: 'Seconds since the table’s latest commit, at scrape time.',
    labelNames: ['table'],
    registers,
    collect() {
      const t = now();
      for (const [table, at] of commitTimes) this.set({ table }, Math.max(0, (t - at) / 1000));
    },
  });

  const observer: StepObserver = {
    stepSucceeded(result, seconds) {
      const step = result.step;
      runs.inc({ step });
      duration.observe({ step, outcome: 'succeeded' }, seconds);
      recordsRead.inc({ step }, result.recordsIn);
      rowsWritten.inc({ step }, result.rowsWritten);
      quarantined.inc({ step }, result.quarantined);
      duplicates.inc({ step }, result.duplicates);
    },
    stepFailed(step, seconds) {
      runs.inc({ step });
      failures.inc({ step });
      duration.observe({ step, outcome: 'failed' }, seconds);
    },
    kafkaLag(lags) {
      for (const l of lags) lag.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
    },
    tableCommitted(table, atMs) {
      commitTimes.set(table, atMs);
      lastCommit.set({ table }, atMs / 1000);
    },
    ...(onObservationError ? { observationFailed: onObservationError } : {}),
  };
  // Every step's counters from the start, at 0: a rate() or increase() over a fresh worker has its
  // baseline, and "no failures" reads as 0 rather than as no series.
  for (const { name: step } of STEPS) for (const counter of [runs, failures, recordsRead, rowsWritten, quarantined, duplicates]) counter.inc({ step }, 0);
  return { registry, observer };
}
