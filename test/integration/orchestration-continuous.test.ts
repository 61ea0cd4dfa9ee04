/**
 * A continuous run (trigger every second) on the real Temporal dev server and Kafka broker: a landing
 * file and a Kafka record that arrive while it runs reach silver and gold, and the stop signal ends the
 * run cleanly after the current cycle. Prints the latency from producing a bpm reading to its row in
 * silver heart_rate.
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
import { readTableRows } from '../../lakehouse/steps/rows.ts';
import { LocalObjectStore } from '../../lakehouse/storage/local-store.ts';
import { gymSummary, heartRate, registeredUsersBz, users, workoutBpmSummary } from '../../schema/tables.ts';
import type { TableDef } from '../../schema/types.ts';
import type { PipelineProgress, PipelineResult } from '../../workflows/types.ts';
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
  const settings = testSettings(address, uniqueName('continuous'), here, brokers);
  const lake = new Lake(new LocalObjectStore(settings.lake));
  const rowsOf = async (def: TableDef, column: string, value: number | string) =>
    readTableRows(await lake.table(def), { predicates: [{ column, op: '=', value }] });

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

    // Latency: readings of a device of its own, about one a second, each timed until its row is in silver.
    const device = syntheticUser(base + 2).deviceId;
    const producedAt = new Map<number, number>();
    const seenAt = new Map<number, number>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const now = performance.now();
        for (const row of await rowsOf(heartRate, 'device_id', device)) {
          const time = (row.time as number) / 1_000_000;
          if (producedAt.has(time) && !seenAt.has(time)) seenAt.set(time, now);
        }
        await sleep(50);
      }
    })();
    const t0 = 1_700_000_000;
    for (let i = 0; i < 10; i++) {
      await producer.send({ topic: 'bpm', messages: [{ key: String(device), value: JSON.stringify(bpmValue(device, t0 + i, 80 + i)) }] });
      producedAt.set(t0 + i, performance.now());
      await sleep(900 + Math.random() * 300);
    }
    try {
      await waitForRun('every latency reading in silver heart_rate', async () => seenAt.size === producedAt.size, 60_000, 100);
    } finally {
      polling = false;
      await poller;
    }
    const latencies = [...producedAt].map(([time, at]) => seenAt.get(time)! - at);
    console.log(
      `[orchestration-continuous] produce → silver heart_rate latency over ${latencies.length} readings at a 1 s trigger: ` +
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${Math.max(...latencies).toFixed(0)} ms ` +
        `(values ${latencies.map((l) => l.toFixed(0)).join(' ')}; polled every 50 ms)`,
    );

    await handle.signal('stop');
    const result = (await handle.result()) as PipelineResult;
    assert.ok(result.cycles >= 2, `cycles ${result.cycles}`);
    console.log(`[orchestration-continuous] ${result.cycles} cycles; the last one by step: ${result.steps.map((s) => `${s.step} ${s.durationMs ?? '?'} ms`).join(', ')}`);
    assert.ok(result.steps.some((s) => s.step === 'bronze_kafka'));
    for (const s of result.steps) assert.equal(s.state, 'succeeded', `${s.step}: ${s.lastError ?? ''}`);
    assert.equal((await handle.describe()).status.name, 'COMPLETED');
  } finally {
    await worker.stop();
    await producer.disconnect();
    await close();
  }
});
