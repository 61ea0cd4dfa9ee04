/**
 * A `once` run of pipelineWorkflow on the real Temporal dev server, started the way `fitlake run` starts
 * it: the tables equal an in-process runPipeline over the same SBIT set, every step reports success, the
 * progress query answers while the run works, and the run carries its memo and search attributes. Prints
 * the orchestration overhead of a run with nothing new.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPipeline } from '../../cli/start-pipeline.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { lastMaintenance, recordMaintenance } from '../../lakehouse/steps/maintenance.ts';
import { allTables, registeredUsersBz } from '../../schema/tables.ts';
import type { PipelineInput, PipelineProgress, PipelineResult } from '../../activities/types.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { landSbitSet, sbitDir } from '../support/sbit.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';
import { assertSameTables, connectTestClient, landSyntheticSet, percentile, startWorker, testSettings, waitFor } from '../support/temporal-helpers.ts';

test('a once run through Temporal builds the same lake as runPipeline in process, reports every step and answers progress queries', async (t) => {
  const address = temporalAddress(t);
  const sbit = sbitDir(t);
  if (!address || !sbit) return;

  const reference = await makeTestLake('fitlake-once-ref-');
  await landSbitSet(sbit, reference.landingDir, 1);
  const referenceStart = performance.now();
  await runPipeline(reference.ctx);
  const referenceMs = performance.now() - referenceStart;

  const here = await makeTestLake('fitlake-once-');
  await landSbitSet(sbit, here.landingDir, 1);
  const settings = testSettings(address, uniqueName('once'), here);
  const input: PipelineInput = { mode: 'once', lake: settings.lake, landing: settings.landing, trigger: 'manual' };
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    const firstStart = performance.now();
    const handle = await startPipeline(client, settings, input);
    const result = handle.result() as Promise<PipelineResult>;
    let finished = false;
    void result.then(() => (finished = true), () => (finished = true));

    // The query is answered by the workflow while its activities run (not only at the end).
    const answers: PipelineProgress[] = [];
    while (!finished) {
      try {
        const progress = (await handle.query('progress')) as PipelineProgress;
        if (!finished) answers.push(progress);
      } catch {
        // Before the first workflow task there is nothing to answer with yet.
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const { cycles, steps, summary } = await result;
    const firstWall = performance.now() - firstStart;

    assert.ok(answers.length > 0, 'no progress answer while the run was going');
    assert.ok(answers.every((p) => p.mode === 'once' && !p.stopping));
    assert.ok(answers.some((p) => p.steps.some((s) => s.state === 'running')), 'no answer showed a running step');
    assert.ok(answers.some((p) => p.steps.some((s) => s.state === 'succeeded') && p.steps.some((s) => s.state !== 'succeeded')), 'no answer caught the run half done');

    // Without Kafka brokers in the input, bronze_kafka is not planned; everything else runs and succeeds.
    const planned = STEPS.map((s) => s.name).filter((n) => n !== 'bronze_kafka');
    assert.equal(cycles, 1);
    assert.deepEqual(steps.map((s) => s.step).sort(), [...planned].sort());
    for (const s of steps) assert.equal(s.state, 'succeeded', `${s.step}: ${s.lastError ?? ''}`);
    assert.equal(summary.length, planned.length);
    for (const name of planned) assert.ok(summary.some((line) => line.startsWith(`${name}: succeeded,`)), `summary line of ${name}`);
    assert.equal(steps.find((s) => s.step === 'silver_heart_rate')!.rowsWritten, 253_801);

    const lake = new Lake(new LocalObjectStore(settings.lake));
    await assertSameTables(lake, reference.lake, allTables.filter((d) => d.layer === 'silver' || d.layer === 'gold'));
    // Bronze and quarantine too (but for load_time, the wall clock of each run).
    await assertSameTables(lake, reference.lake, allTables.filter((d) => d.layer === 'bronze' || d.layer === 'quarantine'));

    // Memo and search attributes, as startPipeline sets them for the UI.
    const description = await handle.describe();
    assert.deepEqual(description.memo, { mode: 'once', layers: 'bronze,silver,gold', trigger: 'manual', lake: settings.lake });
    const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    assert.deepEqual({ mode: attributes.FitlakeMode, trigger: attributes.FitlakeTrigger, layers: attributes.FitlakeLayers }, { mode: 'once', trigger: 'manual', layers: ['bronze', 'silver', 'gold'] });
    // Visibility is eventually consistent: the list answers once the server has indexed the run.
    const listed = await waitFor('the run in a FitlakeMode="once" list', async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query: `FitlakeMode="once" AND FitlakeTrigger="manual" AND WorkflowId="${handle.workflowId}"` })) ids.push(w.workflowId);
      return ids.length > 0 && ids;
    }, 15_000, 250);
    assert.deepEqual(listed, [handle.workflowId]);

    // Orchestration overhead: a second run on the same lake has nothing new, so its time is all overhead.
    const idleInProcessStart = performance.now();
    await runPipeline({ ...reference.ctx });
    const idleInProcess = performance.now() - idleInProcessStart;
    const idleWalls: number[] = [];
    let idle: PipelineResult | undefined;
    for (let i = 0; i < 5; i++) {
      const idleStart = performance.now();
      idle = (await (await startPipeline(client, settings, input)).result()) as PipelineResult;
      idleWalls.push(performance.now() - idleStart);
      // The sources run (they look for new input); the steps after them are skipped: nothing is new.
      for (const s of idle.steps) assert.deepEqual([s.step, s.state, s.rowsWritten], [s.step, s.stage === 0 ? 'succeeded' : 'skipped', 0]);
    }
    const activityTime = idle!.steps.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
    console.log(
      `[orchestration-once] idle once run (nothing new, ${idle!.steps.length} steps in ${new Set(idle!.steps.map((s) => s.stage)).size} stages, ${idle!.steps.filter((s) => s.state === 'skipped').length} skipped): ` +
        `workflow wall time (start to result) p50 ${percentile(idleWalls, 50).toFixed(0)} ms, max ${Math.max(...idleWalls).toFixed(0)} ms over ${idleWalls.length} runs (values ${idleWalls.map((w) => w.toFixed(0)).join(' ')}); ` +
        `sum of step activity times ${activityTime} ms (last run); the same idle pipeline in process ${idleInProcess.toFixed(0)} ms. ` +
        `SBIT set 1 load: workflow ${firstWall.toFixed(0)} ms, in process ${referenceMs.toFixed(0)} ms`,
    );
  } finally {
    await worker.stop();
    await close();
  }
});

test('once runs maintain the lake when its last maintenance is older than maintenanceEverySeconds, and record it', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-once-maintained-');
  const settings = testSettings(address, uniqueName('once-maintained'), here);
  const lake = new Lake(new LocalObjectStore(settings.lake));
  const bronzeFiles = async () => (await (await lake.table(registeredUsersBz)).refresh()).files.size;
  const input: PipelineInput = { mode: 'once', lake: settings.lake, landing: settings.landing, trigger: 'manual' };
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  const runOnce = async () => (await (await startPipeline(client, settings, input)).result()) as PipelineResult;
  try {
    // Three once runs, a landing file each: three small bronze files. The first run starts the lake's
    // maintenance clock (a record, no maintenance); the next two are within the hour.
    const base = 70_000 + Math.floor(Math.random() * 50_000) * 4;
    const results: PipelineResult[] = [];
    for (let i = 0; i < 3; i++) {
      await landSyntheticSet(here.landingDir, base + i);
      results.push(await runOnce());
    }
    assert.ok(results.every((r) => r.maintenance === undefined), 'no maintenance within the hour');
    const started = await lastMaintenance(lake);
    assert.ok(started !== undefined, 'the first run recorded the clock');
    assert.equal(await bronzeFiles(), 3);

    // Two hours later (by the record): the next once run maintains after its cycle and records it.
    await recordMaintenance(lake, Date.now() - 2 * 3_600_000);
    const due = await runOnce();
    assert.equal(due.maintenance?.error, undefined);
    assert.ok(due.maintenance?.summary.some((line) => /^bronze\/registered_users_bz: compacted 3 into 1 file\(s\)/.test(line)), JSON.stringify(due.maintenance));
    assert.equal(await bronzeFiles(), 1);
    assert.ok((await lastMaintenance(lake))! > Date.now() - 60_000, 'recorded now');
    // The one after it finds it fresh, and with maintenanceEverySeconds 0 none is ever done.
    assert.equal((await runOnce()).maintenance, undefined);
    await recordMaintenance(lake, Date.now() - 2 * 3_600_000);
    assert.equal(((await (await startPipeline(client, settings, { ...input, maintenanceEverySeconds: 0 })).result()) as PipelineResult).maintenance, undefined);
  } finally {
    await worker.stop();
    await close();
  }
});
