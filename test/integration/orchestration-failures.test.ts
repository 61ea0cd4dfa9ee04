/**
 * Continuous runs outlive failures, on the real Temporal dev server: while the landing zone's store does
 * not answer (every listing of registered_users/ fails with a retryable StorageError, as an Azure outage
 * gives; injected at the `landing.list` fault point of the in-process worker), each cycle fails after its
 * step's attempts; the run records the failure (progress query, the
 * Temporal UI's current details), waits longer after each failed cycle, and keeps running. Once the
 * landing zone reads again, the next cycle ingests what landed meanwhile and the lake equals a single
 * in-process run over the same files.
 *
 * A scheduled run that starts while another run is going on its lake is skipped, naming that run.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { setFaultHandler } from '../../lakehouse/fault-points.ts';
import { StorageError } from '../../lakehouse/errors.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { startPipeline } from '../../cli/start-pipeline.ts';
import { users } from '../../schema/tables.ts';
import { failureBackoffSeconds } from '../../workflows/pipeline.ts';
import type { PipelineProgress, PipelineResult } from '../../activities/types.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';
import { assertSameTables, connectTestClient, landSyntheticSet, startWorker, syntheticUser, testSettings, waitFor } from '../support/temporal-helpers.ts';

test('a continuous run rides out a landing store that does not answer, says so, and catches up when it answers again', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-failures-');
  await landSyntheticSet(here.landingDir, 7_000);
  const settings = testSettings(address, uniqueName('failures'), here);
  const lake = new Lake(new LocalObjectStore(settings.lake));
  const usersOf = async (userId: number) => (await lake.table(users)).rows({ predicates: [{ column: 'user_id', op: '=', value: userId }] });
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    const handle = await startPipeline(client, settings, { mode: 'continuous', everySeconds: 1, stepMaximumAttempts: 2, lake: settings.lake, landing: settings.landing });
    const progress = () => handle.query('progress') as Promise<PipelineProgress>;
    await waitFor('the first cycle', async () => (await usersOf(syntheticUser(7_000).userId)).length === 1, 60_000, 200);

    // The landing zone's store stops answering; a file lands meanwhile.
    setFaultHandler((name, detail) => {
      if (name === 'landing.list' && detail.location === 'registered_users') throw new StorageError('list registered_users/: the store did not answer (503)');
    });
    await landSyntheticSet(here.landingDir, 7_001);
    const failing = await waitFor('two failed cycles in a row', async () => {
      const p = await progress();
      return p.failure && p.failure.consecutive >= 2 ? p : undefined;
    }, 60_000, 200);
    const f = failing.failure!;
    assert.equal(f.step, 'bronze_registered_users');
    assert.match(f.error, /did not answer/);
    assert.ok(f.retryAt > f.at, 'the next try is announced');
    assert.equal((await handle.describe()).status.name, 'RUNNING', 'a failing cycle does not end the run');
    // What the Temporal UI shows on the run's page.
    const metadata = (await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string };
    assert.match(metadata.currentDetails ?? '', /failed.*bronze_registered_users/s);
    assert.equal((await usersOf(syntheticUser(7_001).userId)).length, 0, 'nothing of the unread folder got in');

    // The store answers again: the run catches up on its own.
    setFaultHandler(undefined);
    await waitFor('the file that landed meanwhile in silver users', async () => (await usersOf(syntheticUser(7_001).userId)).length === 1, 60_000, 200);
    await waitFor('the failure cleared', async () => (await progress()).failure === undefined, 30_000, 200);
    await handle.signal('stop');
    const result = (await handle.result()) as PipelineResult;
    for (const s of result.steps) assert.notEqual(s.state, 'failed', `${s.step}: ${s.lastError ?? ''}`);

    const reference = await makeTestLake('fitlake-failures-ref-');
    await landSyntheticSet(reference.landingDir, 7_000);
    await landSyntheticSet(reference.landingDir, 7_001);
    await runPipeline(reference.ctx);
    await assertSameTables(lake, reference.lake);
  } finally {
    setFaultHandler(undefined);
    await worker.stop();
    await close();
  }
});

test('a scheduled run that finds another run going on its lake is skipped and names it', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-overlap-');
  const settings = testSettings(address, uniqueName('overlap'), here);
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    const manual = await startPipeline(client, settings, { mode: 'continuous', everySeconds: 1, lake: settings.lake, landing: settings.landing });
    const scheduled = await startPipeline(client, settings, { mode: 'once', trigger: 'schedule', lake: settings.lake, landing: settings.landing });
    const skipped = (await scheduled.result()) as PipelineResult;
    assert.deepEqual(skipped.skippedFor, { workflowId: manual.workflowId, mode: 'continuous' });
    assert.equal(skipped.steps.length, 0);
    await manual.signal('stop');
    await manual.result();
    // With the lake free, a scheduled run runs.
    const alone = (await (await startPipeline(client, settings, { mode: 'once', trigger: 'schedule', lake: settings.lake, landing: settings.landing })).result()) as PipelineResult;
    assert.equal(alone.skippedFor, undefined);
    assert.ok(alone.steps.length > 0);
  } finally {
    await worker.stop();
    await close();
  }
});

test('the wait after failed cycles doubles from the trigger interval up to five minutes, never below the interval', () => {
  assert.deepEqual([1, 2, 3, 4].map((n) => failureBackoffSeconds(5, n)), [5, 10, 20, 40]);
  assert.equal(failureBackoffSeconds(5, 30), 300);
  assert.equal(failureBackoffSeconds(600, 3), 600, 'a run triggered every 10 minutes waits 10 minutes');
});
