/**
 * What a run or cycle runs (lakehouse/steps/plan.ts), without Temporal: the stages of the chosen steps,
 * and which steps may have new input on a real lake before and after a pipeline run.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, test } from 'node:test';
import { ConfigError } from '../../lakehouse/errors.ts';
import { STEPS, stages } from '../../lakehouse/steps/graph.ts';
import { pendingSteps, planStages } from '../../lakehouse/steps/plan.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { generateLanding } from '../../simulator/landing-generator.ts';
import { makeTestLake } from '../support/pipeline.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const all = { kafka: true, landing: true };

test('planStages: every step in graph order when nothing is filtered; sources not configured drop their steps only', () => {
  assert.deepEqual(planStages(all), stages(STEPS).map((stage) => stage.map((s) => s.name)));
  const withoutKafka = planStages({ kafka: false, landing: true }).flat();
  assert.ok(!withoutKafka.includes('bronze_kafka'));
  assert.ok(withoutKafka.includes('bronze_kafka_files') && withoutKafka.includes('silver_heart_rate'));
  const withoutLanding = planStages({ kafka: true, landing: false }).flat();
  assert.deepEqual(
    withoutLanding.filter((name) => name.startsWith('bronze_')),
    ['bronze_kafka'],
  );
});

test('planStages: by layer and by name, in stage order; an unknown step is a configuration error', () => {
  assert.deepEqual(planStages({ ...all, layers: ['gold'] }), [['gold_workout_bpm_summary', 'gold_gym_summary']]);
  // Chosen steps keep their order of dependence, whatever order they are named in.
  assert.deepEqual(planStages({ ...all, steps: ['silver_user_bins', 'silver_user_profile'] }), [['silver_user_profile'], ['silver_user_bins']]);
  assert.throws(() => planStages({ ...all, steps: ['silver_nope'] }), (e: unknown) => e instanceof ConfigError && /no step silver_nope/.test(e.message));
});

test('pendingSteps: on a new lake everything after the sources is pending (never ran), with no rows behind; after a run nothing is, until a source adds data', async () => {
  const { dir, lake, ctx, landingDir } = await makeTestLake('fitlake-plan-');
  dirs.push(dir);
  const afterSources = planStages(all).slice(1).flat();
  const fresh = await pendingSteps(lake, afterSources);
  assert.deepEqual(fresh.steps, afterSources);
  // Empty upstream tables: nothing waits yet (what the sources will add comes on top).
  assert.equal(fresh.backlogRows, 0);

  await generateLanding(landingDir, { readings: 2_000, users: 4, seed: 3, linesPerFile: 1_000 });
  await runPipeline(ctx);
  assert.deepEqual((await pendingSteps(lake, afterSources)).steps, []);

  // Only the sources run: heart_rate's input grows, and everything fed by it is pending too.
  await generateLanding(landingDir, { readings: 3_000, users: 4, seed: 4, linesPerFile: 1_000 });
  await runPipeline(ctx, STEPS.filter((s) => s.layer === 'bronze'));
  const pending = await pendingSteps(lake, afterSources);
  for (const name of ['silver_heart_rate', 'silver_workout_bpm', 'gold_workout_bpm_summary']) assert.ok(pending.steps.includes(name), `${name} pending`);
  assert.ok(pending.backlogRows > 0 && pending.backlogRows < Number.MAX_SAFE_INTEGER, `backlog ${pending.backlogRows}`);
});
