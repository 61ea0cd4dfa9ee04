/**
 * A simulated landing zone through the whole pipeline, in process: every bronze and silver step reports
 * exactly the counts the manifest predicts, the quarantine holds exactly the malformed records, sensor
 * dropouts are kept as invalid readings, and the gold tables are filled.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { completedWorkouts, gymSummary, heartRate, quarantineRecords, workoutBpm, workoutBpmSummary } from '../../schema/tables.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { createSimulation, LandingSink, runSimulation } from '../../simulator/index.ts';
import { makeTestLake } from '../support/pipeline.ts';

test('a simulated landing zone goes through the pipeline exactly as its manifest predicts', async (t) => {
  const { dir, lake, ctx, landingDir } = await makeTestLake('fitlake-sim-lake-');
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { manifest } = await runSimulation(createSimulation({ users: 5, days: 2, seed: 314, imperfections: 0.02, wearHours: 3 }), new LandingSink({ root: landingDir, tag: 'it' }));
  assert.equal(manifest.sink, 'landing');

  const results = await runPipeline(ctx);
  const byStep = new Map(results.map((r) => [r.step, r]));
  for (const [step, expected] of Object.entries(manifest.steps)) {
    const r = byStep.get(step);
    assert.ok(r, `no result for ${step}`);
    assert.deepEqual({ recordsIn: r.recordsIn, rowsWritten: r.rowsWritten, duplicates: r.duplicates, quarantined: r.quarantined }, expected, step);
    // Every record a step reads is written, recognised as a duplicate, or quarantined.
    assert.equal(r.recordsIn, r.rowsWritten + r.duplicates + r.quarantined, `${step} balances`);
  }

  const quarantine = await (await lake.table(quarantineRecords)).rows({ columns: ['step', 'reason'] });
  assert.equal(quarantine.length, manifest.malformed);
  assert.equal(quarantine.length, manifest.quarantined);
  const reasons = (step: string) => quarantine.filter((q) => q.step === step).length;
  assert.equal(reasons('silver_heart_rate'), manifest.imperfections.non_numeric_heartrate);
  assert.equal(reasons('bronze_kafka_files'), manifest.imperfections.truncated_json + manifest.imperfections.unknown_topic);
  assert.equal(reasons('bronze_registered_users') + reasons('bronze_gym_logins'), manifest.imperfections.csv_missing_field);

  const readings = await (await lake.table(heartRate)).rows({ columns: ['heartrate', 'valid'] });
  assert.equal(readings.length, manifest.readings.distinct);
  const zero = readings.filter((r) => r.heartrate === 0);
  assert.equal(zero.length, manifest.readings.invalid);
  assert.ok(zero.length > 0 && zero.every((r) => r.valid === false), 'dropouts are kept, flagged invalid');
  assert.ok(readings.filter((r) => r.heartrate !== 0).every((r) => r.valid === true));

  for (const def of [completedWorkouts, workoutBpm, gymSummary, workoutBpmSummary]) assert.ok((await (await lake.table(def)).count()) > 0, `${def.layer}/${def.name} is empty`);
});
