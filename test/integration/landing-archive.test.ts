/**
 * Landing files moved to an archive once ingested (issue 20, item 4: the landing zone is not listed in
 * full every cycle): with StepContext.landingArchive each fully ingested file moves to
 * `<archive>/<source folder>/<name>` after its commit, so the next cycle lists only what is new; a copy
 * of an ingested file is archived without being ingested again; a move that fails after the commit is
 * finished by the next run, never ingesting twice; the tables equal a lake fed the same files without an
 * archive. No services needed, only the disk.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError } from '../../lakehouse/errors.ts';
import { gymLoginsBz, kafkaMultiplexBz, registeredUsersBz } from '../../schema/tables.ts';
import { LANDING_MARKER_RETENTION } from '../../lakehouse/steps/bronze/landing-files.ts';
import { partitionTxnId } from '../../lakehouse/steps/bronze/kafka-topics.ts';
import { commit, KEEP_ALIVE_TXNS, loadSnapshot, SET_TRANSACTION_RETENTION } from '../../lakehouse/table/log/index.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { LocalObjectStore, type ObjectInfo } from '../../lakehouse/storage/index.ts';
import { StoreWrapper } from '../support/delta-helpers.ts';
import { generate, increments, land, random } from '../support/generated-landing.ts';
import { lakeLines, makeTestLake } from '../support/pipeline.ts';

const ARCHIVE = '_ingested';
const FOLDERS = ['registered_users', 'gym_logins', 'kafka'];
const BRONZE = STEPS.filter((s) => s.layer === 'bronze');

/** A landing store that counts what its listings return and can fail its next move. */
class LandingStore extends StoreWrapper {
  listed = 0;
  failNextMove = false;
  override async list(prefix: string): Promise<ObjectInfo[]> {
    const items = await this.inner.list(prefix);
    this.listed += items.length;
    return items;
  }
  override async move(from: string, to: string): Promise<void> {
    if (this.failNextMove) {
      this.failNextMove = false;
      throw new Error(`injected: the store failed moving ${from}`);
    }
    return this.inner.move(from, to);
  }
}

const filesIn = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();

test('ingested landing files move to the archive: later cycles list only new files, copies and failed moves are never ingested twice', async (t) => {
  const data = generate(21);
  const rnd = random(21);
  const parts = 3;
  const [reg, gym, kafka] = [increments(data.registrations, parts, rnd), increments(data.gymLogins, parts, rnd), increments(data.kafka, parts, rnd)];
  const part = (i: number) => ({ registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
  const archived = await makeTestLake('fitlake-archived-');
  const plain = await makeTestLake('fitlake-not-archived-');
  t.after(() => Promise.all([rm(archived.dir, { recursive: true, force: true }), rm(plain.dir, { recursive: true, force: true })]));
  const landing = new LandingStore(new LocalObjectStore(archived.landingDir));
  const ctx = { ...archived.ctx, landing, landingArchive: ARCHIVE };

  for (let i = 0; i < parts; i++) {
    for (const lake of [archived, plain]) await land(lake.landingDir, `part-${i}`, part(i));
    landing.listed = 0;
    if (i === 1) {
      // The first bronze step's move fails after its commit (the others go on): the next run finishes it.
      landing.failNextMove = true;
      const outcomes = await Promise.allSettled(BRONZE.map((step) => step.run(ctx)));
      assert.deepEqual(outcomes.map((o) => o.status === 'rejected' && /injected: the store failed moving/.test(String(o.reason))).filter(Boolean).length, 1);
    }
    await runPipeline(ctx);
    await runPipeline(plain.ctx);
    assert.deepEqual(await lakeLines(archived.lake), await lakeLines(plain.lake), `part ${i}`);
    // Only this part's files were listed (the earlier ones are in the archive; after the failed move, the
    // one file left), and now they are archived too.
    assert.equal(landing.listed, i === 1 ? FOLDERS.length + 1 : FOLDERS.length, `part ${i}: files listed`);
    for (const folder of FOLDERS) assert.deepEqual(await filesIn(path.join(archived.landingDir, folder)).catch(() => []), [], `${folder} is empty after part ${i}`);
  }
  assert.deepEqual(
    await filesIn(path.join(archived.landingDir, ARCHIVE)),
    FOLDERS.flatMap((f) => Array.from({ length: parts }, (_, i) => path.join(f, `part-${i}.${f === 'kafka' ? 'json' : 'csv'}`))).sort(),
  );

  // A copy of an ingested export, landed again under another name: archived, not ingested.
  const before = await lakeLines(archived.lake);
  // (A store prunes the folders a move leaves empty, as a delete does: an exporter makes its folder.)
  for (const folder of FOLDERS) await mkdir(path.join(archived.landingDir, folder), { recursive: true });
  await copyFile(path.join(archived.landingDir, ARCHIVE, 'registered_users', 'part-0.csv'), path.join(archived.landingDir, 'registered_users', 'again.csv'));
  // And the same name landed again with the same content: archived beside the first, under its time.
  await copyFile(path.join(archived.landingDir, ARCHIVE, 'gym_logins', 'part-1.csv'), path.join(archived.landingDir, 'gym_logins', 'part-1.csv'));
  await runPipeline(ctx);
  assert.deepEqual(await lakeLines(archived.lake), before, 'nothing ingested twice');
  assert.deepEqual(await filesIn(path.join(archived.landingDir, 'registered_users')).catch(() => []), []);
  const gymArchive = await filesIn(path.join(archived.landingDir, ARCHIVE, 'gym_logins'));
  assert.equal(gymArchive.length, parts + 1);
  assert.ok(gymArchive.some((f) => /^part-1\.\d+\.csv$/.test(f)), gymArchive.join(', '));
});

test('an archive inside a source folder is refused', async (t) => {
  const lake = await makeTestLake('fitlake-archive-refused-');
  t.after(() => rm(lake.dir, { recursive: true, force: true }));
  await land(lake.landingDir, 'one', generate(22));
  const kafkaFiles = STEPS.find((s) => s.name === 'bronze_kafka_files')!;
  await assert.rejects(kafkaFiles.run({ ...lake.ctx, landingArchive: 'kafka/done' }), (e: unknown) => e instanceof ConfigError && /outside the source folder kafka\//.test(e.message));
});

test('with an archive the bronze tables forget ingested files after the retention, keeping Kafka offsets; without one, a table that forgets is refused', async (t) => {
  const lake = await makeTestLake('fitlake-archive-forget-');
  t.after(() => rm(lake.dir, { recursive: true, force: true }));
  await land(lake.landingDir, 'one', generate(23));
  const ctx = { ...lake.ctx, landingArchive: ARCHIVE };
  await runPipeline(ctx);
  const bronze = [registeredUsersBz, gymLoginsBz, kafkaMultiplexBz];
  // Kafka offsets of a partition, as bronze_kafka records them, in the table the dumps land in too.
  const kafkaTable = await lake.lake.table(kafkaMultiplexBz);
  const offsetId = partitionTxnId('bpm', 0);
  await commit(kafkaTable.store, { readSnapshot: kafkaTable.snapshot, actions: [], operation: 'STREAMING UPDATE', txn: { appId: offsetId, version: 1234 }, readSet: { readsAdded: false } });
  for (const def of bronze) {
    const { metadata, txns } = (await lake.lake.table(def)).snapshot;
    assert.equal(metadata.configuration[SET_TRANSACTION_RETENTION], LANDING_MARKER_RETENTION, def.name);
    assert.ok([...txns.keys()].some((id) => id.includes(':file:')), `${def.name} records its files`);
  }
  assert.ok(offsetId.startsWith(kafkaTable.snapshot.metadata.configuration[KEEP_ALIVE_TXNS]!), 'the declared keep-alive prefix is bronze_kafka’s');

  // 31 days later, one commit to each table (any writer's): the files are forgotten, the offsets not.
  const later = Date.now() + 31 * 86_400_000;
  for (const def of bronze) {
    const table = await lake.lake.table(def);
    await commit(table.store, { readSnapshot: table.snapshot, actions: [], operation: 'STREAMING UPDATE', txn: { appId: 'clock', version: 1 }, readSet: { readsAdded: false }, now: () => later });
    const { txns } = await loadSnapshot(table.store);
    assert.deepEqual([...txns.keys()].sort(), def === kafkaMultiplexBz ? [offsetId, 'clock'] : ['clock'], def.name);
  }
  assert.equal((await loadSnapshot(kafkaTable.store)).txns.get(offsetId), 1234);

  // The same lake run without the archive: files left in the landing zone would be read again.
  await assert.rejects(runPipeline(lake.ctx), (e: unknown) => e instanceof ConfigError && /forgets ingested files after interval 30 days/.test(e.message));
});
