/**
 * The pipeline's activities (activities/pipeline-activities.ts) in @temporalio/testing's mock activity
 * context, on a real lake in a temporary folder: they adapt the steps, heartbeat, and raise failures in
 * the form Temporal retries or not, the same way for every activity.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/activity';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/pipeline-activities.ts';
import { StorageError } from '../../lakehouse/errors.ts';
import { LocalObjectStore, type ObjectStore } from '../../lakehouse/storage/index.ts';
import { generateLanding } from '../../simulator/landing-generator.ts';
import { makeTestLake } from '../support/pipeline.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function setUp(openStore?: (location: string) => ObjectStore) {
  const { dir, landingDir } = await makeTestLake('fitlake-activities-');
  dirs.push(dir);
  const activities = createActivities({
    openStore: openStore ?? ((location) => new LocalObjectStore(location)),
    openKafka: () => {
      throw new Error('no Kafka in this test');
    },
    heartbeatEveryMs: 0,
  });
  return { activities, locations: { lake: path.join(dir, 'lake'), landing: landingDir }, landingDir };
}

/** `call` in the mock activity context (the SDK's run() does not carry the activity's result type). */
function inContext<T>(env: MockActivityEnvironment, call: () => Promise<T>): Promise<T> {
  return env.run(call) as Promise<T>;
}

/** The failure an activity call raised, and whether Temporal would retry it. */
async function failureOf(call: () => Promise<unknown>): Promise<{ error: unknown; retried: boolean }> {
  try {
    await call();
  } catch (error) {
    return { error, retried: !(error instanceof ApplicationFailure && error.nonRetryable) };
  }
  assert.fail('the activity did not fail');
}

test('runStep runs the step on the lake, heartbeats its progress and returns its summary', async () => {
  const { activities, locations, landingDir } = await setUp();
  await generateLanding(landingDir, { readings: 5_000, users: 3, seed: 5, linesPerFile: 1_000 });
  const env = new MockActivityEnvironment({ attempt: 2 });
  const beats: unknown[] = [];
  env.on('heartbeat', (details: unknown) => beats.push(details));
  const summary = await inContext(env, () => activities.runStep({ ...locations, step: 'bronze_kafka_files' }));
  assert.equal(summary.step, 'bronze_kafka_files');
  assert.ok(summary.rowsWritten > 5_000, `rows ${summary.rowsWritten}`);
  assert.deepEqual(beats[0], { records: 0, detail: 'attempt 2' });
  assert.ok(beats.length > 1, 'progress heartbeats after the first');
  // Run again: the step's checkpoints say everything is in.
  const again = await inContext(env, () => activities.runStep({ ...locations, step: 'bronze_kafka_files' }));
  assert.equal(again.changed, false);
});

test('a failure a retry cannot fix is raised non-retryable with its class name, from every activity alike', async () => {
  const { activities, locations } = await setUp();
  const env = new MockActivityEnvironment();
  const calls: [string, () => Promise<unknown>][] = [
    ['runStep', () => env.run(activities.runStep, { ...locations, step: 'silver_nope' })],
    ['runSteps', () => env.run(activities.runSteps, { ...locations, steps: ['silver_users', 'silver_nope'] })],
    ['planPipeline', () => env.run(activities.planPipeline, { steps: ['gold_nope'], kafka: false, landing: true })],
    ['pendingSteps', () => env.run(activities.pendingSteps, { ...locations, steps: ['gold_nope'] })],
    ['planReprocess', () => env.run(activities.planReprocess, { from: 'bronze_nope' })],
    ['resetSteps', () => env.run(activities.resetSteps, { ...locations, steps: ['bronze_nope'] })],
    ['maintainTable', () => env.run(activities.maintainTable, { lake: locations.lake, table: 'silver/nope', retentionHours: 168 })],
  ];
  for (const [name, call] of calls) {
    const { error, retried } = await failureOf(call);
    assert.equal(retried, false, `${name}: ${String(error)}`);
    assert.equal((error as ApplicationFailure).type, 'ConfigError', name);
    assert.match((error as Error).message, /no (step|table) /, name);
  }
});

test('a transient failure (storage) is raised as it is, for Temporal to retry with backoff', async () => {
  const failing = (location: string): ObjectStore => {
    const store = new LocalObjectStore(location);
    return Object.assign(Object.create(store) as ObjectStore, {
      list: () => {
        throw new StorageError('the disk is busy', { key: location });
      },
    });
  };
  const { activities, locations } = await setUp(failing);
  const { error, retried } = await failureOf(() => new MockActivityEnvironment().run(activities.runStep, { ...locations, step: 'bronze_registered_users' }));
  assert.equal(retried, true);
  assert.ok(error instanceof StorageError, String(error));
});
