/**
 * The Prometheus metrics of a worker and of the API, scraped over HTTP from their own listeners:
 *
 * - two once runs through a real Temporal worker with Kafka and landing files: the worker's counters per
 *   step equal what the runs' results report (runs, records read, rows written, quarantined,
 *   duplicates), no failures, a Kafka lag series per partition of the broker (bounded by what the broker
 *   holds beyond the lake's checkpoint), and each written table's last commit and freshness;
 * - the API over that lake: N GraphQL requests, some repeated, count as N requests, N latency
 *   observations, the repeats as cache hits, the rest as GraphQL executions; index loads full first and
 *   incremental after a new gold version;
 * - both listeners on 127.0.0.1 by default, and no /metrics on the API's own port;
 * - `fitlake worker` and `fitlake serve` with a metrics port (flag or environment) print their listener.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { kafkaLag } from '../../activities/kafka-lag.ts';
import type { PipelineInput, PipelineResult, StepProgress } from '../../activities/types.ts';
import { createApiMetrics } from '../../api/metrics/api-metrics.ts';
import { LakeData } from '../../api/data/lake-data.ts';
import { startApiServer } from '../../api/server.ts';
import { createApi, GRAPHQL_ENDPOINT, HEALTH_ENDPOINT, READY_ENDPOINT } from '../../api/yoga.ts';
import { startPipeline } from '../../cli/start-pipeline.ts';
import { startMetricsEndpoint } from '../../config/metrics-endpoint.ts';
import { partitionTxnId } from '../../lakehouse/steps/bronze/kafka-topics.ts';
import { stepByName } from '../../lakehouse/steps/graph.ts';
import { KafkajsSource } from '../../lakehouse/sources/kafkajs-source.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { gymSummary, kafkaMultiplexBz, quarantineRecords } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { parseDate } from '../../lakehouse/time.ts';
import { projectRoot } from '../../devstack/paths.ts';
import { createWorkerMetrics } from '../../workers/metrics/worker-metrics.ts';
import { createPipelineWorker } from '../../workers/pipeline-worker.ts';
import { analystToken, appendRows, TEST_JWT, writeSmallLake } from '../support/api-helpers.ts';
import { makeTestLake, type TestLake } from '../support/pipeline.ts';
import { scrape, sumOf, valueOf, type Sample } from '../support/prometheus-text.ts';
import { kafkaBrokers, temporalAddress, uniqueName } from '../support/stack.ts';
import { bpmValue, connectTestClient, ensureTopics, landFile, landSyntheticSet, syntheticUser, testSettings, TOPICS } from '../support/temporal-helpers.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The lake the worker test built, for the API test to serve (undefined when that test was skipped). */
let runLake: TestLake | undefined;

/** Per step, the sum over runs of what their results report, and how many runs it ran in. */
function expectedPerStep(results: readonly PipelineResult[]): Map<string, { runs: number; recordsIn: number; rowsWritten: number; quarantined: number; duplicates: number }> {
  const out = new Map<string, { runs: number; recordsIn: number; rowsWritten: number; quarantined: number; duplicates: number }>();
  for (const s of results.flatMap((r) => r.steps)) {
    const e = out.get(s.step) ?? { runs: 0, recordsIn: 0, rowsWritten: 0, quarantined: 0, duplicates: 0 };
    if (s.state === 'succeeded') {
      e.runs++;
      e.recordsIn += s.recordsIn;
      e.rowsWritten += s.rowsWritten;
      e.quarantined += s.quarantined;
      e.duplicates += s.duplicates ?? 0;
    }
    out.set(s.step, e);
  }
  return out;
}

function assertStepCounters(samples: Sample[], results: readonly PipelineResult[]): void {
  for (const [step, e] of expectedPerStep(results)) {
    const got = (name: string, labels: Record<string, string> = {}) => valueOf(samples, name, { step, ...labels });
    assert.deepEqual(
      {
        runs: got('fitlake_step_runs_total'),
        recordsIn: got('fitlake_step_records_read_total'),
        rowsWritten: got('fitlake_step_rows_written_total'),
        quarantined: got('fitlake_step_records_quarantined_total'),
        duplicates: got('fitlake_step_records_duplicate_total'),
        failures: got('fitlake_step_failures_total'),
        timed: got('fitlake_step_duration_seconds_count', { outcome: 'succeeded' }) ?? 0,
      },
      { ...e, failures: 0, timed: e.runs },
      `the metrics of ${step}`,
    );
  }
}

test('a worker’s /metrics after once runs: every step as the runs reported it, the Kafka lag per partition, each written table’s freshness', async (t) => {
  const address = temporalAddress(t);
  const brokers = kafkaBrokers(t);
  if (!address || !brokers) return;

  const here = await makeTestLake('fitlake-metrics-');
  dirs.push(here.dir);
  const base = 200_000 + Math.floor(Math.random() * 50_000) * 4;
  await landSyntheticSet(here.landingDir, base, 2);
  // A registration that cannot be read: quarantined, so the quarantine counter has something to count.
  await landFile(here.landingDir, 'registered_users', `unreadable-${base}.csv`, 'user_id,device_id,mac_address,registration_timestamp\nnot-a-number,1,02:00:00:00:00:01,1678451168\n');
  await ensureTopics(brokers);
  const kafka = new Kafka({ clientId: 'fitlake-test-metrics', brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  const admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  // Readings on both bpm partitions, so that bronze_kafka has something of this test's to ingest.
  const produce = async (user: number, partition: number, count: number) => {
    const u = syntheticUser(user);
    await producer.send({ topic: 'bpm', messages: Array.from({ length: count }, (_, i) => ({ partition, key: String(u.deviceId), value: JSON.stringify(bpmValue(u.deviceId, u.start + 10 + i, 90 + i)) })) });
  };
  await produce(base, 0, 3);
  await produce(base + 1, 1, 4);

  const settings = testSettings(address, uniqueName('metrics'), here, brokers);
  const input: PipelineInput = { mode: 'once', lake: settings.lake, landing: settings.landing, kafkaBrokers: brokers, trigger: 'manual' };
  const metrics = createWorkerMetrics({ onObservationError: (what, e) => assert.fail(`${what}: ${(e as Error).message}`) });
  const endpoint = await startMetricsEndpoint(metrics.registry, { port: 0 });
  const { client, close } = await connectTestClient(address);
  const { worker, close: closeWorker } = await createPipelineWorker(settings, { observer: metrics.observer });
  const running = worker.run();
  const source = new KafkajsSource({ brokers });
  try {
    assert.equal(endpoint.address, '127.0.0.1', 'the metrics listener binds loopback by default');

    const first = (await (await startPipeline(client, settings, input)).result()) as PipelineResult;
    for (const s of first.steps) assert.equal(s.state, 'succeeded', `${s.step}: ${s.lastError ?? ''}`);
    const { contentType, samples } = await scrape(endpoint.url);
    assert.equal(contentType, metrics.registry.contentType);
    assertStepCounters(samples, [first]);
    assert.ok(first.steps.find((s) => s.step === 'bronze_registered_users')!.quarantined >= 1, 'the unreadable registration is quarantined');
    const kafkaStep = first.steps.find((s) => s.step === 'bronze_kafka')!;
    assert.ok(kafkaStep.rowsWritten >= 7, `bronze_kafka wrote ${kafkaStep.rowsWritten}`);

    // A lag series per partition of the three topics, never above what the broker holds now beyond the
    // lake's checkpoint (records produced since the step ran only raise the right side).
    const checkpoints = (await here.lake.table(kafkaMultiplexBz)).snapshot.txns;
    const partitions: string[] = [];
    for (const topic of TOPICS) {
      for (const p of await admin.fetchTopicOffsets(topic)) {
        partitions.push(`${topic}/${p.partition}`);
        const behind = Number(p.high) - Math.max(checkpoints.get(partitionTxnId(topic, p.partition)) ?? 0, Number(p.low));
        const lag = valueOf(samples, 'fitlake_kafka_lag_records', { topic, partition: String(p.partition) });
        assert.ok(lag !== undefined && lag >= 0 && lag <= behind, `lag of ${topic}/${p.partition}: ${lag}, at most ${behind}`);
      }
    }
    assert.deepEqual(samples.filter((s) => s.name === 'fitlake_kafka_lag_records').map((s) => `${s.labels.topic}/${s.labels.partition}`).sort(), partitions.sort());

    // Freshness of every table a step of the run wrote, from that table's own latest commit.
    const written = new Set(first.steps.flatMap((s: StepProgress) => [...stepByName(s.step).writes, ...(s.quarantined > 0 ? [quarantineRecords] : [])]));
    for (const def of written) {
      const table = tablePath(def);
      const committed = (await here.lake.table(def)).snapshot.timestamp;
      assert.equal(valueOf(samples, 'fitlake_table_last_commit_timestamp_seconds', { table }), committed / 1000, `last commit of ${table}`);
      const freshness = valueOf(samples, 'fitlake_table_freshness_seconds', { table });
      assert.ok(freshness !== undefined && freshness >= 0 && freshness < 120, `freshness of ${table}: ${freshness}`);
    }

    // A second run with new input: the counters are the sums of both runs' figures.
    await landSyntheticSet(here.landingDir, base + 2, 1);
    await produce(base + 2, 0, 2);
    const second = (await (await startPipeline(client, settings, input)).result()) as PipelineResult;
    assertStepCounters((await scrape(endpoint.url)).samples, [first, second]);

    // The lag as the activity computes it, with records produced after the run: at least those.
    await produce(base, 1, 5);
    const lags = await kafkaLag(here.lake, source, TOPICS);
    const bpm1 = lags.find((l) => l.topic === 'bpm' && l.partition === 1);
    const high = Number((await admin.fetchTopicOffsets('bpm')).find((p) => p.partition === 1)!.high);
    const checkpoint = (await here.lake.table(kafkaMultiplexBz)).snapshot.txns.get(partitionTxnId('bpm', 1))!;
    assert.ok(bpm1 && bpm1.lag >= 5 && bpm1.lag <= high - checkpoint, `bpm/1 lag ${bpm1?.lag}, between 5 and ${high - checkpoint}`);
    runLake = here;
  } finally {
    worker.shutdown();
    await running;
    await Promise.all([closeWorker(), close(), endpoint.close(), source.close(), producer.disconnect(), admin.disconnect()]);
  }
});

test('the API’s /metrics: N requests, N latency observations, repeats as cache hits, executions by type, index loads full then incremental', async () => {
  let lakeDir: string;
  if (runLake) lakeDir = path.join(runLake.dir, 'lake');
  else {
    // Without the services, a small lake written directly: the API's counting is the same.
    const own = await makeTestLake('fitlake-metrics-api-');
    dirs.push(own.dir);
    lakeDir = path.join(own.dir, 'lake');
    await writeSmallLake(lakeDir);
  }
  const metrics = createApiMetrics([GRAPHQL_ENDPOINT, HEALTH_ENDPOINT, READY_ENDPOINT]);
  const data = new LakeData(new LocalObjectStore(lakeDir), { intervalMs: 100, onIndexLoad: metrics.indexLoaded });
  const api = createApi({ data, jwt: TEST_JWT, mode: 'production', logging: false, rateLimit: false, metrics });
  const server = await startApiServer(api, { host: '127.0.0.1', port: 0 });
  const endpoint = await startMetricsEndpoint(metrics.registry, { port: 0 });
  try {
    assert.equal(endpoint.address, '127.0.0.1', 'the metrics listener binds loopback by default');
    assert.notEqual(endpoint.port, server.port);
    const token = await analystToken();
    const ask = async (query: string) => {
      const response = await fetch(`${server.origin}${GRAPHQL_ENDPOINT}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { data?: Record<string, { totalCount?: number }>; errors?: unknown[] };
      assert.equal(response.status, 200);
      assert.equal(body.errors, undefined, JSON.stringify(body.errors));
      return body.data!;
    };
    const summaries = '{ workoutBpmSummaries(first: 5) { totalCount edges { node { userId workoutId avgBpm } } } }';
    const gyms = '{ gymSummaries(first: 5) { totalCount } }';
    const status = '{ pipelineStatus { path version } }';
    // 7 requests: summaries thrice and gyms twice (cacheable: 3 hits), the status twice (never cached).
    const sent = [summaries, summaries, summaries, gyms, gyms, status, status];
    for (const query of sent) await ask(query);
    const N = sent.length;
    const hits = 3;

    let { samples } = await scrape(endpoint.url);
    assert.equal(valueOf(samples, 'fitlake_api_requests_total', { route: GRAPHQL_ENDPOINT, status: '200' }), N);
    assert.equal(sumOf(samples, 'fitlake_api_requests_total'), N);
    assert.equal(valueOf(samples, 'fitlake_api_request_duration_seconds_count', { route: GRAPHQL_ENDPOINT }), N);
    assert.equal(valueOf(samples, 'fitlake_api_response_cache_hits_total'), hits);
    assert.equal(valueOf(samples, 'fitlake_api_response_cache_misses_total'), N - hits);
    // Answers from the cache never reach GraphQL execution.
    assert.equal(valueOf(samples, 'fitlake_graphql_operations_total', { operationType: 'query' }), N - hits);
    assert.equal(valueOf(samples, 'fitlake_graphql_operation_duration_seconds_count', { operationType: 'query' }), N - hits);
    assert.ok(sumOf(samples, 'fitlake_api_index_loads_total', { kind: 'full' }) >= 1, 'a full index load');
    assert.equal(valueOf(samples, 'fitlake_api_index_loads_total', { table: 'gym_summary', kind: 'full' }), 1);
    assert.equal(sumOf(samples, 'fitlake_api_index_loads_total', { kind: 'incremental' }), 0);
    // No label carries the operation's text or name.
    assert.ok(samples.every((s) => Object.values(s.labels).every((v) => !v.includes('{'))));

    // A new gold version: the next index of gym_summary is built on the previous one.
    const before = (await ask(gyms)).gymSummaries!.totalCount!;
    await appendRows(lakeDir, gymSummary, [{ date: parseDate('2024-06-01'), gym: 9, mac_address: 'aa:aa:aa:aa:aa:99', workout_id: 9, session_id: 9, minutes_in_gym: 10, minutes_exercising: 5 }]);
    const deadline = Date.now() + 10_000;
    while ((await ask(gyms)).gymSummaries!.totalCount! === before) {
      assert.ok(Date.now() < deadline, 'the new gym_summary version was never served');
      await new Promise((r) => setTimeout(r, 50));
    }
    ({ samples } = await scrape(endpoint.url));
    assert.equal(valueOf(samples, 'fitlake_api_index_loads_total', { table: 'gym_summary', kind: 'incremental' }), 1);
    assert.equal(valueOf(samples, 'fitlake_api_index_load_duration_seconds_count', { kind: 'incremental' }), sumOf(samples, 'fitlake_api_index_loads_total', { kind: 'incremental' }));

    // The API's own port has no /metrics: it is 404 there, with or without a token.
    assert.equal((await fetch(`${server.origin}/metrics`)).status, 404);
    assert.equal((await fetch(`${server.origin}/metrics`, { headers: { authorization: `Bearer ${token}` } })).status, 404);
  } finally {
    await Promise.all([server.close(), endpoint.close()]);
  }
});

/** Start `fitlake <args>` (stopped when the test ends) and wait for the first stdout line matching `line`. */
async function startCommand(t: TestContext, args: string[], env: NodeJS.ProcessEnv, line: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'fitlake.js'), ...args], { cwd: projectRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => child.kill('SIGTERM'));
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = line.exec(out);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`fitlake ${args.join(' ')} exited with ${code}: ${stderr}`)));
  });
}

test('`fitlake serve` and `fitlake worker` with a metrics port (flag or environment) serve /metrics on loopback and say where', async (t) => {
  const own = await makeTestLake('fitlake-metrics-cli-');
  dirs.push(own.dir);
  const lakeDir = path.join(own.dir, 'lake');
  await writeSmallLake(lakeDir);
  const [, serveJson] = await startCommand(t, ['serve', '--port', '0', '--json', '--lake', lakeDir], { FITLAKE_JWT_SECRET: TEST_JWT.secret, FITLAKE_API_METRICS_PORT: '0' }, /^(\{.*\})$/m);
  const serve = JSON.parse(serveJson!) as { url: string; metrics?: string };
  assert.match(serve.metrics ?? '', /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const served = await scrape(serve.metrics!);
  assert.notEqual(valueOf(served.samples, 'fitlake_api_response_cache_hits_total'), undefined);

  const address = temporalAddress(t);
  if (!address) return;
  const [, workerUrl] = await startCommand(
    t,
    ['worker', '--metrics-port', '0', '--temporal-address', address, '--task-queue', uniqueName('metrics-cli'), '--lake', lakeDir],
    { FITLAKE_WORKER_METRICS_HOST: '127.0.0.1' },
    /^metrics on (\S+)$/m,
  );
  assert.match(workerUrl!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  const scraped = await scrape(workerUrl!);
  assert.equal(valueOf(scraped.samples, 'fitlake_step_failures_total', { step: 'silver_heart_rate' }), 0);
});
