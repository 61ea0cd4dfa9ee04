/**
 * The pieces of the Prometheus metrics that need no service: reading the text format back, the worker's
 * metrics as an observer records them (labels and figures), a step observed when it fails, the route
 * label of the API, the metrics settings (off and loopback by default) and the listener's address.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { runObserved, type StepObserver } from '../../activities/step-observer.ts';
import { routeOf } from '../../api/metrics/api-metrics.ts';
import { startMetricsEndpoint } from '../../config/metrics-endpoint.ts';
import { loadMetricsSettings } from '../../config/metrics-settings.ts';
import { ConfigError } from '../../lakehouse/errors.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import type { Step, StepContext } from '../../lakehouse/steps/step.ts';
import { createWorkerMetrics } from '../../workers/metrics/worker-metrics.ts';
import { parsePrometheusText, scrape, sumOf, valueOf } from '../support/prometheus-text.ts';

test('the text format reads back: labels unescaped, histograms and special values', async () => {
  const registry = new Registry();
  const counter = new Counter({ name: 'x_total', help: 'h', labelNames: ['a'], registers: [registry] });
  counter.inc({ a: 'plain' }, 2);
  counter.inc({ a: 'with "quotes", a \\ and\na line' }, 3);
  const samples = parsePrometheusText(await registry.metrics());
  assert.equal(valueOf(samples, 'x_total', { a: 'plain' }), 2);
  assert.equal(valueOf(samples, 'x_total', { a: 'with "quotes", a \\ and\na line' }), 3);
  assert.equal(sumOf(samples, 'x_total'), 5);
  assert.deepEqual(parsePrometheusText('# HELP y h\ny_bucket{le="+Inf"} 4\ny Nan 1700000000000\n').map((s) => s.value), [4, NaN]);
  assert.throws(() => parsePrometheusText('y{a="unterminated} 1\n'), SyntaxError);
  assert.throws(() => parsePrometheusText('not a sample\n'), SyntaxError);
});

test('the worker metrics record what the observer is told, with every step at 0 from the start', async () => {
  let now = 1_700_000_100_000;
  const { registry, observer } = createWorkerMetrics({ now: () => now });
  observer.stepSucceeded({ step: 'silver_users', recordsIn: 10, rowsWritten: 7, quarantined: 2, duplicates: 1, versions: { users: 3 }, changed: true }, 0.2);
  observer.stepSucceeded({ step: 'silver_users', recordsIn: 5, rowsWritten: 5, quarantined: 0, duplicates: 0, versions: { users: 4 }, changed: true }, 0.1);
  observer.stepFailed('gold_gym_summary', 1.5);
  observer.kafkaLag([{ topic: 'bpm', partition: 0, lag: 12 }, { topic: 'bpm', partition: 1, lag: 0 }]);
  observer.tableCommitted('silver/users', 1_700_000_000_000);
  const samples = parsePrometheusText(await registry.metrics());
  assert.equal(valueOf(samples, 'fitlake_step_runs_total', { step: 'silver_users' }), 2);
  assert.equal(valueOf(samples, 'fitlake_step_records_read_total', { step: 'silver_users' }), 15);
  assert.equal(valueOf(samples, 'fitlake_step_rows_written_total', { step: 'silver_users' }), 12);
  assert.equal(valueOf(samples, 'fitlake_step_records_quarantined_total', { step: 'silver_users' }), 2);
  assert.equal(valueOf(samples, 'fitlake_step_records_duplicate_total', { step: 'silver_users' }), 1);
  assert.equal(valueOf(samples, 'fitlake_step_failures_total', { step: 'silver_users' }), 0);
  assert.equal(valueOf(samples, 'fitlake_step_runs_total', { step: 'gold_gym_summary' }), 1);
  assert.equal(valueOf(samples, 'fitlake_step_failures_total', { step: 'gold_gym_summary' }), 1);
  assert.equal(valueOf(samples, 'fitlake_step_duration_seconds_count', { step: 'silver_users', outcome: 'succeeded' }), 2);
  assert.ok(Math.abs(valueOf(samples, 'fitlake_step_duration_seconds_sum', { step: 'silver_users', outcome: 'succeeded' })! - 0.3) < 1e-9);
  assert.equal(valueOf(samples, 'fitlake_step_duration_seconds_count', { step: 'gold_gym_summary', outcome: 'failed' }), 1);
  for (const step of STEPS) assert.notEqual(valueOf(samples, 'fitlake_step_failures_total', { step: step.name }), undefined, `${step.name} at 0`);
  assert.equal(valueOf(samples, 'fitlake_kafka_lag_records', { topic: 'bpm', partition: '0' }), 12);
  assert.equal(valueOf(samples, 'fitlake_kafka_lag_records', { topic: 'bpm', partition: '1' }), 0);
  assert.equal(valueOf(samples, 'fitlake_table_last_commit_timestamp_seconds', { table: 'silver/users' }), 1_700_000_000);
  assert.equal(valueOf(samples, 'fitlake_table_freshness_seconds', { table: 'silver/users' }), 100);
  // Freshness is computed at scrape time: a minute later it is a minute older.
  now += 60_000;
  assert.equal(valueOf(parsePrometheusText(await registry.metrics()), 'fitlake_table_freshness_seconds', { table: 'silver/users' }), 160);
});

test('a failing step is counted as failed and its error goes on to the activity unchanged', async () => {
  const told: string[] = [];
  const observer: StepObserver = {
    stepSucceeded: (r) => told.push(`ok ${r.step}`),
    stepFailed: (step) => told.push(`failed ${step}`),
    kafkaLag: () => told.push('lag'),
    tableCommitted: (table) => told.push(`commit ${table}`),
  };
  const boom = new Error('boom');
  const failing: Step = { name: 'silver_users', layer: 'silver', reads: [], writes: [], run: () => Promise.reject(boom) };
  await assert.rejects(runObserved(failing, { now: Date.now } as unknown as StepContext, observer), (e) => e === boom);
  assert.deepEqual(told, ['failed silver_users']);
});

test('the API labels a request by its route, anything else as other', () => {
  const routes = ['/graphql', '/healthz'];
  assert.equal(routeOf('/graphql?query=x', routes), '/graphql');
  assert.equal(routeOf('/healthz', routes), '/healthz');
  assert.equal(routeOf('/wp-admin/../graphql', routes), 'other');
  assert.equal(routeOf(undefined, routes), 'other');
});

test('metrics are off and on loopback unless told otherwise; flags over the environment; a bad port is a ConfigError', () => {
  assert.deepEqual(loadMetricsSettings({}, {}, 'worker'), { port: undefined, host: '127.0.0.1' });
  assert.deepEqual(loadMetricsSettings({ FITLAKE_WORKER_METRICS_PORT: '9464' }, {}, 'worker'), { port: 9464, host: '127.0.0.1' });
  assert.deepEqual(loadMetricsSettings({ FITLAKE_WORKER_METRICS_PORT: '9464' }, {}, 'api'), { port: undefined, host: '127.0.0.1' });
  assert.deepEqual(loadMetricsSettings({ FITLAKE_API_METRICS_PORT: '1', FITLAKE_API_METRICS_HOST: '0.0.0.0' }, { port: '0' }, 'api'), { port: 0, host: '0.0.0.0' });
  assert.throws(() => loadMetricsSettings({}, { port: '70000' }, 'worker'), ConfigError);
  assert.throws(() => loadMetricsSettings({}, { port: '-1' }, 'worker'), ConfigError);
  assert.throws(() => loadMetricsSettings({}, { port: '80', host: ' ' }, 'api'), ConfigError);
});

test('the metrics listener binds 127.0.0.1 by default and serves /metrics only', async () => {
  const registry = new Registry();
  new Counter({ name: 'probe_total', help: 'h', registers: [registry] }).inc(4);
  const endpoint = await startMetricsEndpoint(registry, { port: 0 });
  try {
    assert.equal(endpoint.address, '127.0.0.1');
    assert.equal(endpoint.url, `http://127.0.0.1:${endpoint.port}/metrics`);
    const { contentType, samples } = await scrape(endpoint.url);
    assert.equal(contentType, registry.contentType);
    assert.equal(valueOf(samples, 'probe_total'), 4);
    assert.equal((await fetch(`http://127.0.0.1:${endpoint.port}/graphql`)).status, 404);
    assert.equal((await fetch(endpoint.url, { method: 'POST' })).status, 405);
  } finally {
    await endpoint.close();
  }
});
