/**
 * Property: the pipeline's tables depend on the data, not on how it arrives. A generated data set is fed
 * in small increments in shuffled order with duplicates and late arrivals (stops before starts, a later
 * stop before the earlier one, readings before their device's registration, profile updates older than
 * the stored one, conflicting readings of one instant, valid and invalid: dropouts' 0 and devices' -1,
 * overlapping gym visits). After every increment, every table, bronze and quarantine included (load
 * times aside), equals that of a fresh lake given the same files in one run. Seeds 1-3 by default;
 * FITLAKE_PROPERTY_SEEDS=100 runs a hundred interleavings. No services needed, only the disk.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { allTables } from '../../schema/tables.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { generate, increments, land, random } from '../support/generated-landing.ts';
import { comparedColumns, makeTestLake, tableLines } from '../support/pipeline.ts';

const COMPARED = allTables;

const seeds = Array.from({ length: Number(process.env.FITLAKE_PROPERTY_SEEDS ?? 3) }, (_, i) => i + 1);

for (const seed of seeds) {
  test(`seed ${seed}: after every shuffled increment the tables equal one run over the same files`, async () => {
    const data = generate(seed);
    const parts = 6;
    const rnd = random(seed * 7919);
    const reg = increments(data.registrations, parts, rnd);
    const gym = increments(data.gymLogins, parts, rnd);
    const kafka = increments(data.kafka, parts, rnd);
    const piecewise = await makeTestLake('fitlake-prop-parts-');
    for (let i = 0; i < parts; i++) {
      await land(piecewise.landingDir, `part-${i}`, { registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
      await runPipeline(piecewise.ctx);
      const whole = await makeTestLake('fitlake-prop-whole-');
      for (let j = 0; j <= i; j++) await land(whole.landingDir, `part-${j}`, { registrations: reg[j]!, gymLogins: gym[j]!, kafka: kafka[j]! });
      await runPipeline(whole.ctx);
      for (const def of COMPARED) {
        const expected = await tableLines(whole.lake, def, comparedColumns(def));
        if (i === parts - 1 && def.name !== 'records') assert.ok(expected.length > 0, `${def.name} is empty: the generated data does not exercise it`);
        assert.deepEqual(await tableLines(piecewise.lake, def, comparedColumns(def)), expected, `increment ${i}: ${def.layer}/${def.name}`);
      }
      await rm(whole.dir, { recursive: true, force: true });
    }
    await rm(piecewise.dir, { recursive: true, force: true });
  });
}
