/**
 * Fault injection: a worker process SIGKILLs itself at a fault point (lakehouse/fault-points.ts) in the
 * middle of a `once` run over SBIT set 1; a fresh worker takes the run over (the killed step is retried
 * after its heartbeat timeout) and the finished lake equals an undisturbed in-process run, table by table,
 * row counts and content. And a zombie: a worker frozen (not killed) past the heartbeat timeout while
 * the step is retried elsewhere, then waking to commit what it computed.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPipeline } from '../../cli/start-pipeline.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import type { PipelineResult } from '../../activities/types.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { landSbitSet, sbitDir } from '../support/sbit.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';
import { assertSameTables, connectTestClient, spawnWorker, testSettings, waitFor, type WorkerProcess } from '../support/temporal-helpers.ts';
import { heartRate } from '../../schema/tables.ts';

/** Short, so a dead worker's step is retried soon; steps heartbeat at least every few seconds (see incremental-step.ts). */
const HEARTBEAT_TIMEOUT_SECONDS = 8;

const CASES = [
  { fault: 'bronze.ingest@3', match: '3-bpm_1.json', where: 'after the third chunk of the 43 MB bpm landing file' },
  { fault: 'commit.before', match: 'silver/heart_rate', where: 'right before the first commit to silver heart_rate' },
  { fault: 'gold.merge', match: 'workout_bpm_summary', where: 'inside the gold workout_bpm_summary step, before its merge' },
];

const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms).unref())]);

/** A lake given SBIT set 1 and run in process, undisturbed: what every disturbed run must equal. */
async function undisturbedRun(sbit: string, prefix: string) {
  const reference = await makeTestLake(prefix);
  await landSbitSet(sbit, reference.landingDir, 1);
  await runPipeline(reference.ctx);
  return reference;
}

/** Stop the worker processes still running: SIGTERM (a graceful shutdown), SIGKILL if it takes too long. */
async function stopWorkers(workers: readonly WorkerProcess[]): Promise<void> {
  for (const w of workers) {
    if (w.child.exitCode === null && w.child.signalCode === null) {
      w.child.kill('SIGTERM');
      await within(w.exited, 40_000, 'a worker to shut down').catch(() => w.child.kill('SIGKILL'));
    }
  }
}

test('a worker killed at a fault point: another worker finishes the run and the lake equals an undisturbed run', async (t) => {
  const address = temporalAddress(t);
  const sbit = sbitDir(t);
  if (!address || !sbit) return;

  const reference = await undisturbedRun(sbit, 'fitlake-faults-ref-');

  const { client, close } = await connectTestClient(address);
  try {
    for (const { fault, match, where } of CASES) {
      await t.test(`${fault} (${where})`, async () => {
        const here = await makeTestLake('fitlake-faults-');
        await landSbitSet(sbit, here.landingDir, 1);
        const settings = testSettings(address, uniqueName('faults'), here);
        const workers: WorkerProcess[] = [];
        try {
          // No worker yet: the run waits on the task queue for the one that is going to die.
          const handle = await startPipeline(client, settings, { mode: 'once', lake: settings.lake, landing: settings.landing, heartbeatTimeoutSeconds: HEARTBEAT_TIMEOUT_SECONDS });
          const doomed = spawnWorker(settings, { FITLAKE_FAULT: fault, FITLAKE_FAULT_MATCH: match });
          workers.push(doomed);
          const death = await within(doomed.exited, 120_000, `the fault worker to reach ${fault}\n${doomed.output()}`);
          assert.equal(death.signal, 'SIGKILL', `the fault worker ended with ${JSON.stringify(death)} instead of killing itself at ${fault}:\n${doomed.output()}`);
          assert.match(doomed.output(), new RegExp(`killing myself at ${fault.split('@')[0]!.replace('.', '\\.')}`));
          assert.equal((await handle.describe()).status.name, 'RUNNING', 'the run must outlive its worker');

          const killedAt = performance.now();
          const rescuer = spawnWorker(settings);
          workers.push(rescuer);
          const result = (await within(handle.result(), 180_000, `the run to complete on the second worker\n${rescuer.output()}`)) as PipelineResult;
          console.log(`[orchestration-faults] ${fault}: run completed ${((performance.now() - killedAt) / 1000).toFixed(1)} s after the kill (heartbeat timeout ${HEARTBEAT_TIMEOUT_SECONDS} s)`);
          for (const s of result.steps) assert.equal(s.state, 'succeeded', `${s.step}: ${s.lastError ?? ''}`);
          // The interrupted step really was retried (attempt 2 or later), not finished by the dead worker.
          const history = await handle.fetchHistory();
          assert.ok(history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1), 'no activity was retried');

          await assertSameTables(new Lake(new LocalObjectStore(settings.lake)), reference.lake);
        } finally {
          await stopWorkers(workers);
        }
      });
    }
  } finally {
    await close();
  }
});

test('a zombie attempt (its worker frozen past the heartbeat timeout, the step retried elsewhere, then waking to commit) leaves the lake equal to an undisturbed run', async (t) => {
  const address = temporalAddress(t);
  const sbit = sbitDir(t);
  if (!address || !sbit) return;
  const reference = await undisturbedRun(sbit, 'fitlake-zombie-ref-');

  const here = await makeTestLake('fitlake-zombie-');
  await landSbitSet(sbit, here.landingDir, 1);
  const settings = testSettings(address, uniqueName('zombie'), here);
  const { client, close } = await connectTestClient(address);
  const workers: WorkerProcess[] = [];
  try {
    const handle = await startPipeline(client, settings, { mode: 'once', lake: settings.lake, landing: settings.landing, heartbeatTimeoutSeconds: 3 });
    // Frozen right before its first commit to silver heart_rate, its range planned and its rows computed.
    const zombie = spawnWorker(settings, { FITLAKE_FAULT: 'commit.before', FITLAKE_FAULT_MATCH: 'silver/heart_rate', FITLAKE_FAULT_STALL_MS: '25000' });
    workers.push(zombie);
    await waitFor(`the first worker to freeze\n${zombie.output()}`, async () => zombie.output().includes('stalling at commit.before'), 120_000, 100);
    const rescuer = spawnWorker(settings);
    workers.push(rescuer);
    const result = (await within(handle.result(), 180_000, `the run to complete on the second worker\n${rescuer.output()}`)) as PipelineResult;
    for (const s of result.steps) assert.equal(s.state, 'succeeded', `${s.step}: ${s.lastError ?? ''}`);
    // The zombie wakes and goes on with the attempt Temporal gave up on: its commit is judged against
    // the snapshot it planned from, so it finds its range committed and writes nothing.
    await within(waitFor('the zombie to wake', async () => zombie.output().includes('woke up'), 60_000, 100), 65_000, 'the zombie to wake');
    zombie.child.kill('SIGTERM');
    await within(zombie.exited, 40_000, `the zombie to finish its attempt and shut down\n${zombie.output()}`);
    const lake = new Lake(new LocalObjectStore(settings.lake));
    await assertSameTables(lake, reference.lake);
    const merges = async (l: Lake) => (await (await l.table(heartRate)).history()).filter((h) => h.operation === 'MERGE').length;
    assert.equal(await merges(lake), await merges(reference.lake), 'no extra merge from the zombie');
  } finally {
    await stopWorkers(workers);
    await close();
  }
});
