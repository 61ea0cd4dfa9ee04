/**
 * A continuous run (trigger every second) on the real Temporal dev server and Kafka broker: a landing
 * file and a Kafka record that arrive while it runs reach silver and gold, and the stop signal ends the
 * run cleanly after the current cycle. Prints the latency from producing a bpm reading to its row in
 * silver heart_rate and to its effect in gold workout_bpm_summary, then the orchestration overhead of
 * `once` runs with nothing new, Kafka included.
 *
 * The topics user_info/workout/bpm are fixed names shared with other tests; the bronze_kafka step keeps
 * its offsets per lake, so whatever else is in them is ingested too. Assertions look only for this
 * test's own devices and users.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { startPipeline } from '../../cli/start-pipeline.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { gymSummary, heartRate, registeredUsersBz, users, workoutBpmSummary } from '../../schema/tables.ts';
import type { PipelineInput, PipelineProgress, PipelineResult } from '../../activities/types.ts';
import type { TableDef } from '../../schema/types.ts';
import { makeTestLake } from '../support/pipeline.ts';
import { kafkaBrokers, temporalAddress, uniqueName } from '../support/stack.ts';
import { bpmValue, connectTestClient, ensureTopics, landSyntheticSet, percentile, startWorker, syntheticUser, testSettings, waitFor } from '../support/temporal-helpers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a continuous run picks up a landing file and Kafka records arriving while it runs, and stops on the stop signal', async (t) => {
  const address = temporalAddress(t);
  const brokers = kafkaBrokers(t);
  if (!address || !brokers) return;
  await ensureTopics(brokers);

  const here = await makeTestLake('fitlake-continuous-');
  // Synthetic users numbered from a random base: a rerun on the same broker never meets its old records.
  const base = 1_000 + Math.floor(Math.random() * 50_000) * 4;
  await landSyntheticSet(here.landingDir, base);
  // The latency readings' device (user base+2), with a workout in gold for its readings to update.
  await landSyntheticSet(here.landingDir, base + 2);
  const settings = testSettings(address, uniqueName('continuous'), here, brokers);
  const lake = new Lake(new LocalObjectStore(settings.lake));
  const rowsOf = async (def: TableDef, column: string, value: number | string) =>
    (await lake.table(def)).rows({ predicates: [{ column, op: '=', value }] });

  const producer = new Kafka({ clientId: 'fitlake-test-producer', brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    const handle = await startPipeline(client, settings, { mode: 'continuous', everySeconds: 1, lake: settings.lake, landing: settings.landing, kafkaBrokers: brokers });
    const progress = () => handle.query('progress') as Promise<PipelineProgress>;
    // A timeout says what the run was doing, not only what was missing.
    const waitForRun = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs: number, pollMs: number) =>
      waitFor(what, probe, timeoutMs, pollMs).catch(async (e: Error) => {
        const p = await progress().catch(() => undefined);
        throw new Error(`${e.message}; run at cycle ${p?.cycle}: ${p?.steps.map((s) => `${s.step} ${s.state}${s.lastError ? ` (${s.lastError})` : ''}`).join(', ')}`);
      });
    await waitForRun('the first cycle to finish', async () => (await progress()).cycle >= 2, 120_000, 200);
    const first = syntheticUser(base);
    assert.equal((await rowsOf(users, 'user_id', first.userId)).length, 1, 'the landed set is in silver users after cycle 1');

    // A new landing file, and a heart-rate reading of a device of that set through the broker.
    const later = syntheticUser(base + 1);
    await landSyntheticSet(here.landingDir, base + 1);
    const readingTime = later.stop + 3_600;
    await producer.send({ topic: 'bpm', messages: [{ key: String(later.deviceId), value: JSON.stringify(bpmValue(later.deviceId, readingTime, 71.5)) }] });
    await waitForRun('the new landing file in bronze', async () => (await rowsOf(registeredUsersBz, 'user_id', later.userId)).length === 1, 60_000, 250);
    await waitForRun('the new landing file in silver users', async () => (await rowsOf(users, 'user_id', later.userId)).length === 1, 60_000, 250);
    await waitForRun('the new landing file in gold gym_summary', async () => (await rowsOf(gymSummary, 'mac_address', later.mac)).length === 1, 60_000, 250);
    await waitForRun('the new landing file in gold workout_bpm_summary', async () => (await rowsOf(workoutBpmSummary, 'user_id', later.userId)).length === 1, 60_000, 250);
    const reading = await waitForRun('the Kafka reading in silver heart_rate', async () => (await rowsOf(heartRate, 'device_id', later.deviceId)).find((r) => r.time === readingTime * 1_000_000), 60_000, 250);
    assert.equal(reading.heartrate, 71.5);

    // Latency: readings inside the workout of user base+2, about one a second, each timed until its row
    // is in silver heart_rate and until gold workout_bpm_summary counts it (num_recordings goes up by
    // one per reading: they are new times, in order, on one partition).
    const latencyUser = syntheticUser(base + 2);
    const device = latencyUser.deviceId;
    const summaryOfUser = async () => (await rowsOf(workoutBpmSummary, 'user_id', latencyUser.userId))[0];
    const before = await waitForRun('the latency device\'s workout in gold workout_bpm_summary', summaryOfUser, 60_000, 250);
    const countBefore = before.num_recordings as number;
    const times: number[] = [];
    const producedAt = new Map<number, number>();
    const silverAt = new Map<number, number>();
    const goldAt = new Map<number, number>();
    let polling = true;
    // The worker runs in this process: the poller reads rows only when a table has a new version, so
    // that measuring costs the pipeline little (a log listing per table and poll otherwise).
    const seenVersion = new Map<string, number>();
    const changed = async (def: TableDef) => {
      const version = (await lake.table(def)).version;
      if (seenVersion.get(def.name) === version) return false;
      seenVersion.set(def.name, version);
      return true;
    };
    const poller = (async () => {
      while (polling) {
        const now = performance.now();
        if (await changed(heartRate)) {
          for (const row of await rowsOf(heartRate, 'device_id', device)) {
            const time = (row.time as number) / 1_000_000;
            if (producedAt.has(time) && !silverAt.has(time)) silverAt.set(time, now);
          }
        }
        if (await changed(workoutBpmSummary)) {
          const counted = ((await summaryOfUser())?.num_recordings as number | undefined ?? countBefore) - countBefore;
          for (const time of times.slice(0, counted)) if (!goldAt.has(time)) goldAt.set(time, now);
        }
        await sleep(50);
      }
    })();
    for (let i = 0; i < 10; i++) {
      // Half a minute off the landed readings' minute grid: a new key in heart_rate, inside the workout.
      const time = latencyUser.start + 30 + 60 * i;
      // Timed from just before the send (the ack is part of the latency): the poller must know the
      // reading before its row can appear.
      times.push(time);
      producedAt.set(time, performance.now());
      await producer.send({ topic: 'bpm', messages: [{ key: String(device), value: JSON.stringify(bpmValue(device, time, 80 + i)) }] });
      await sleep(900 + Math.random() * 300);
    }
    try {
      await waitForRun('every latency reading in silver heart_rate and gold workout_bpm_summary', async () => silverAt.size === producedAt.size && goldAt.size === producedAt.size, 60_000, 100);
    } finally {
      polling = false;
      await poller;
    }
    for (const [where, seen] of [['silver heart_rate', silverAt], ['gold workout_bpm_summary', goldAt]] as const) {
      const latencies = times.map((time) => seen.get(time)! - producedAt.get(time)!);
      console.log(
        `[orchestration-continuous] produce → ${where} latency over ${latencies.length} readings at a 1 s trigger: ` +
          `p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms ` +
          `(values ${latencies.map((l) => l.toFixed(0)).join(' ')}; table versions polled every 50 ms)`,
      );
    }
    assert.equal((await summaryOfUser())!.num_recordings, countBefore + times.length);

    await handle.signal('stop');
    const result = (await handle.result()) as PipelineResult;
    assert.ok(result.cycles >= 2, `cycles ${result.cycles}`);
    console.log(`[orchestration-continuous] ${result.cycles} cycles; the last one by step: ${result.steps.map((s) => `${s.step} ${s.durationMs ?? '?'} ms`).join(', ')}`);
    assert.ok(result.steps.some((s) => s.step === 'bronze_kafka'));
    // Sources run every cycle; later steps only with new input (skipped otherwise).
    for (const s of result.steps) assert.ok(s.state === 'succeeded' || (s.state === 'skipped' && s.stage > 0), `${s.step} ${s.state}: ${s.lastError ?? ''}`);
    assert.equal((await handle.describe()).status.name, 'COMPLETED');

    // Orchestration overhead with Kafka: once runs on the same lake after the continuous run, the first
    // to catch up with anything left, then runs with nothing new (all overhead).
    const onceInput: PipelineInput = { mode: 'once', lake: settings.lake, landing: settings.landing, kafkaBrokers: brokers };
    await (await startPipeline(client, settings, onceInput)).result();
    const idleWalls: number[] = [];
    let idle: PipelineResult | undefined;
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      idle = (await (await startPipeline(client, settings, onceInput)).result()) as PipelineResult;
      idleWalls.push(performance.now() - started);
      assert.ok(idle.steps.every((s) => s.rowsWritten === 0 && (s.state === 'succeeded' || s.state === 'skipped')), idle.summary.join('\n'));
    }
    console.log(
      `[orchestration-continuous] idle once runs with Kafka (nothing new; ${idle!.steps.filter((s) => s.state !== 'skipped').length} of ${idle!.steps.length} steps run, the rest skipped): ` +
        `workflow wall time (start to result) p50 ${percentile(idleWalls, 50).toFixed(0)} ms, max ${Math.max(...idleWalls).toFixed(0)} ms (values ${idleWalls.map((w) => w.toFixed(0)).join(' ')})`,
    );
  } finally {
    await worker.stop();
    await producer.disconnect();
    await close();
  }
});

test('a continuous run maintains its own tables between cycles: small files compacted, nothing read twice', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const here = await makeTestLake('fitlake-continuous-maintained-');
  const base = 60_000 + Math.floor(Math.random() * 50_000) * 4;
  const settings = testSettings(address, uniqueName('continuous-maintained'), here);
  const lake = new Lake(new LocalObjectStore(settings.lake));
  const bronzeFiles = async () => (await (await lake.table(registeredUsersBz)).refresh()).files.size;
  const usersOf = async (n: number) => (await lake.table(users)).rows({ predicates: [{ column: 'user_id', op: '=', value: syntheticUser(n).userId }] });
  const { client, close } = await connectTestClient(address);
  const worker = await startWorker(settings);
  try {
    // Three landing files, one a cycle or so apart: three small files in bronze registered_users.
    const handle = await startPipeline(client, settings, { mode: 'continuous', everySeconds: 1, maintenanceEverySeconds: 0.5, lake: settings.lake, landing: settings.landing });
    const progress = () => handle.query('progress') as Promise<PipelineProgress>;
    for (let i = 0; i < 3; i++) {
      await landSyntheticSet(here.landingDir, base + i);
      await waitFor(`user ${i} in silver users`, async () => (await usersOf(base + i)).length === 1, 60_000, 200);
    }
    // A maintenance after all three were read compacts them into one file.
    const compacted = await waitFor(
      'a maintenance that compacted bronze registered_users',
      async () => (await progress()).maintenance?.summary.find((line) => /^bronze\/registered_users_bz: compacted [2-9]/.test(line)),
      60_000,
      250,
    );
    assert.match(compacted, /into 1 file\(s\)/);
    assert.equal((await progress()).maintenance?.error, undefined);
    await waitFor('one bronze file', async () => (await bronzeFiles()) === 1, 30_000, 250);
    // The compacted rows are not new input: one more landing later, every user is in silver exactly once.
    await landSyntheticSet(here.landingDir, base + 3);
    await waitFor('user 3 in silver users', async () => (await usersOf(base + 3)).length === 1, 60_000, 200);
    for (let i = 0; i < 4; i++) assert.equal((await usersOf(base + i)).length, 1, `user ${i}`);
    assert.equal((await (await lake.table(users)).rows()).length, 4);
    await handle.signal('stop');
    await handle.result();
  } finally {
    await worker.stop();
    await close();
  }
});
