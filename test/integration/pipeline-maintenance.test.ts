/**
 * Maintenance never feeds the pipeline again (issue 16): compaction rewrites files with dataChange =
 * false, and those rows keep the version that first added them, so an incremental reader never reads
 * them as new. Between increments every table is compacted (the maintenance path: only what every
 * reader has consumed, here while each layer is a stage ahead of the next) and vacuumed with no
 * retention, keeping the change data files readers have still to read, and its log is checkpointed and
 * cleaned up as if past the log retention, keeping the commits readers have still to read;
 * after every increment each table equals that of a lake given the same files without maintenance.
 * No services needed, only the disk.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { allTables, kafkaMultiplexBz, quarantineRecords } from '../../schema/tables.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { cleanupLogConsumed, compactConsumed, vacuumConsumed } from '../../lakehouse/steps/maintenance.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { generate, increments, land, random } from '../support/generated-landing.ts';
import { lakeLines, makeTestLake } from '../support/pipeline.ts';

const PARTS = 4;
const BRONZE = STEPS.filter((s) => s.layer === 'bronze');
const SILVER = STEPS.filter((s) => s.layer === 'silver');
const GOLD = STEPS.filter((s) => s.layer === 'gold');

for (const seed of [11, 12]) {
  test(`seed ${seed}: compaction, vacuum and log cleanup between increments change no table`, async () => {
    const data = generate(seed);
    const rnd = random(seed);
    const [reg, gym, kafka] = [increments(data.registrations, PARTS, rnd), increments(data.gymLogins, PARTS, rnd), increments(data.kafka, PARTS, rnd)];
    const part = (i: number) => ({ registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
    const maintained = await makeTestLake('fitlake-maintained-');
    const plain = await makeTestLake('fitlake-plain-');
    let compactedFiles = 0;
    let logFilesRemoved = 0;
    const monthLater = () => Date.now() + 31 * 86_400_000;
    const maintain = async () => {
      for (const def of allTables) {
        // Every file of these small tables is small (under half of a million rows).
        compactedFiles += (await compactConsumed(maintained.lake, def, { targetFileRows: 1_000_000 })).filesRemoved;
        await vacuumConsumed(maintained.lake, def, { retentionHours: 0 });
        // A checkpoint every maintenance, and the log behind the older ones cleaned up as if a month
        // had passed: only the commits the table's readers have read go.
        await (await maintained.lake.table(def)).checkpoint();
        logFilesRemoved += (await cleanupLogConsumed(maintained.lake, def, { now: monthLater })).deleted.length;
      }
    };
    for (let i = 0; i < PARTS; i++) {
      for (const lake of [maintained, plain]) await land(lake.landingDir, `part-${i}`, part(i));
      // Each layer a stage ahead of the next while maintenance runs: bronze's newest files are unread by
      // silver, then silver's changes (cdc files, rewritten files) by gold.
      await runPipeline(maintained.ctx, BRONZE);
      await maintain();
      await runPipeline(maintained.ctx, SILVER);
      await maintain();
      await runPipeline(maintained.ctx, GOLD);
      await maintain();
      await runPipeline(plain.ctx);
      assert.deepEqual(await lakeLines(maintained.lake), await lakeLines(plain.lake), `increment ${i}`);
    }
    assert.ok(compactedFiles > 0, 'something was compacted');
    assert.ok(logFilesRemoved > 0, 'some of the log was cleaned up');
    await rm(maintained.dir, { recursive: true, force: true });
    await rm(plain.dir, { recursive: true, force: true });
  });
}

test('a compacted bronze table is not read again by silver (the issue: every record re-read, the bad ones quarantined twice)', async () => {
  const data = generate(13);
  const { lake, ctx, landingDir, dir } = await makeTestLake('fitlake-compact-bronze-');
  const rnd = random(13);
  const [reg, gym, kafka] = [increments(data.registrations, 2, rnd), increments(data.gymLogins, 2, rnd), increments(data.kafka, 2, rnd)];
  for (let i = 0; i < 2; i++) {
    await land(landingDir, `part-${i}`, { registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
    await runPipeline(ctx);
  }
  const quarantined = await (await lake.table(quarantineRecords)).count();
  // The table's own compaction, not the maintenance path: every file of bronze at once.
  const compacted = await (await lake.table(kafkaMultiplexBz)).compact({ targetFileRows: 1_000_000 });
  assert.ok(compacted.filesRemoved >= 2);
  const results = await runPipeline(ctx);
  assert.deepEqual(results.filter((r) => r.recordsIn > 0).map((r) => r.step), [], 'no step found new input');
  assert.equal(await (await lake.table(quarantineRecords)).count(), quarantined);
  await rm(dir, { recursive: true, force: true });
});
