/**
 * A Temporal Schedule triggering `once` pipeline runs every 2 seconds, overlaps skipped: it fires at
 * least twice within ~15 s, each run completes, and the runs can be found by their schedule.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { users } from '../../schema/tables.ts';
import type { PipelineInput, PipelineResult } from '../../activities/types.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';
import { connectTestClient, landSyntheticSet, startWorker, testSettings, waitFor } from '../support/temporal-helpers.ts';

test('a schedule every 2 s starts once runs of the pipeline that complete', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-schedule-');
  await landSyntheticSet(here.landingDir, 1, 2);
  const settings = testSettings(address, uniqueName('schedule'), here);
  const input: PipelineInput = { mode: 'once', lake: settings.lake, landing: settings.landing, trigger: 'schedule' };
  const scheduleId = uniqueName('fitlake-schedule');

  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    const schedule = await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '2s' }] },
      policies: { overlap: ScheduleOverlapPolicy.SKIP },
      action: {
        type: 'startWorkflow',
        workflowType: 'pipelineWorkflow',
        workflowId: `${scheduleId}-run`,
        taskQueue: settings.temporal.taskQueue,
        args: [input],
        memo: { mode: 'once', layers: 'bronze,silver,gold', trigger: 'schedule', lake: settings.lake },
        // The same attributes as cli/start-pipeline.ts gives a manual run, so the UI can filter by trigger.
        searchAttributes: { FitlakeMode: ['once'], FitlakeTrigger: ['schedule'], FitlakeLayers: ['bronze', 'silver', 'gold'] },
      },
    });
    try {
      const started = Date.now();
      const actions = await waitFor('two runs started by the schedule', async () => {
        const recent = (await schedule.describe()).info.recentActions;
        return recent.length >= 2 && recent;
      }, 15_000, 250);
      console.log(`[orchestration-schedule] ${actions.length} runs started ${((Date.now() - started) / 1000).toFixed(1)} s after the schedule was created`);

      // Every run the schedule started completes, and all of them are the schedule's.
      const runIds = actions.map((a) => a.action.workflow.workflowId);
      assert.equal(new Set(runIds).size, runIds.length, 'each action is its own run');
      for (const id of runIds) {
        const result = (await client.workflow.getHandle(id).result()) as PipelineResult;
        assert.equal(result.cycles, 1);
        // Runs after the first find nothing new: their steps after the sources are skipped.
        for (const s of result.steps) assert.ok(s.state === 'succeeded' || (s.state === 'skipped' && s.stage > 0), `${id} ${s.step} ${s.state}`);
      }
      const listed = await waitFor('the schedule\'s runs in the visibility list', async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({ query: `TemporalScheduledById = "${scheduleId}" AND FitlakeTrigger = "schedule"` })) ids.push(w.workflowId);
        return runIds.every((id) => ids.includes(id)) && ids;
      }, 15_000, 250);
      assert.ok(listed.length >= 2);
      // The first run did the work; the data is in the lake once, however many runs followed.
      assert.equal(await (await new Lake(new LocalObjectStore(settings.lake)).table(users)).count(), 2);
    } finally {
      await schedule.delete();
    }
    await assert.rejects(client.schedule.getHandle(scheduleId).describe(), /not found/i);
  } finally {
    await worker.stop();
    await close();
  }
});
