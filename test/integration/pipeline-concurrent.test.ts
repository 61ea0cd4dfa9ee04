/**
 * Two runners of the pipeline on one lake at once never duplicate or lose a row (issue 16): a manual
 * run beside a scheduled one, or a retried activity whose first attempt still runs. Each increment is
 * run by two pipelines started together, once sharing one Lake (the table objects one worker's
 * activities share, whose refreshes used to move a running step's snapshot) and once with a Lake each
 * (two workers); every table, bronze and quarantine included, must equal a single run's. Their steps
 * interleave differently every time. FITLAKE_CONCURRENT_ROUNDS sets how many increments' interleavings
 * are tried (default 6: two seeds of three increments).
 *
 * Free-running pipelines mostly plan the same ranges, which the txn check alone made safe. The case that
 * duplicated rows is forced last, with gates on the commit points: a runner plans, upstream moves, a
 * second runner plans a longer range from the same checkpoint, the first commits, then the second.
 * No services needed, only the disk.
 */
import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { Lake } from '../../lakehouse/steps/lake.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import type { StepContext } from '../../lakehouse/steps/step.ts';
import { STEPS } from '../../lakehouse/steps/graph.ts';
import { allTables } from '../../schema/tables.ts';
import { silverHeartRate } from '../../lakehouse/steps/silver/heart-rate.ts';
import { StoreWrapper } from '../support/delta-helpers.ts';
import { generate, increments, land, random } from '../support/generated-landing.ts';
import { lakeLines, makeTestLake } from '../support/pipeline.ts';

const PARTS = 3;
const rounds = Number(process.env.FITLAKE_CONCURRENT_ROUNDS ?? 2 * PARTS);
const seeds = Array.from({ length: Math.ceil(rounds / PARTS) }, (_, i) => 100 + i);

/** Rows each table has more (+) or fewer (-) than expected, by table: empty when they agree. */
function differences(actual: Map<string, string[]>, expected: Map<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [table, lines] of expected) {
    const got = actual.get(table) ?? [];
    if (JSON.stringify(got) === JSON.stringify(lines)) continue;
    const want = new Set(lines);
    const have = new Set(got);
    out[table] = `${got.length} rows for ${lines.length}: ${got.filter((l) => !want.has(l)).length} unexpected, ${lines.filter((l) => !have.has(l)).length} missing`;
  }
  return out;
}

for (const sharing of ['one Lake (one worker)', 'a Lake each (two workers)'] as const) {
  for (const seed of seeds) {
    test(`seed ${seed}, ${sharing}: two pipelines at once give a single run's tables after every increment`, async () => {
      const data = generate(seed);
      const rnd = random(seed * 31);
      const reg = increments(data.registrations, PARTS, rnd);
      const gym = increments(data.gymLogins, PARTS, rnd);
      const kafka = increments(data.kafka, PARTS, rnd);
      const twice = await makeTestLake('fitlake-concurrent-');
      const second: StepContext =
        sharing === 'one Lake (one worker)' ? { ...twice.ctx } : { ...twice.ctx, lake: new Lake(new LocalObjectStore(path.join(twice.dir, 'lake'))) };
      for (let i = 0; i < PARTS; i++) {
        const files = { registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! };
        await land(twice.landingDir, `part-${i}`, files);
        await Promise.all([runPipeline(twice.ctx), runPipeline(second)]);
        const once = await makeTestLake('fitlake-concurrent-once-');
        for (let j = 0; j <= i; j++) await land(once.landingDir, `part-${j}`, { registrations: reg[j]!, gymLogins: gym[j]!, kafka: kafka[j]! });
        await runPipeline(once.ctx);
        assert.deepEqual(differences(await lakeLines(twice.lake), await lakeLines(once.lake)), {}, `increment ${i}`);
        await rm(once.dir, { recursive: true, force: true });
      }
      await rm(twice.dir, { recursive: true, force: true });
    });
  }
}

/** Which runner the current async work belongs to. */
const runner = new AsyncLocalStorage<string>();

/** Where a runner is held: at its first commit (put-if-absent of a log file) or its first read of a data file. */
type HoldPoint = 'commit' | 'read';

/** A store that holds a chosen runner at a chosen point until the test opens the gate; all else passes. */
class GatedStore extends StoreWrapper {
  private readonly gates = new Map<string, { at: HoldPoint; reached: () => void; opened: Promise<void>; passed: boolean }>();

  /** Hold the runner `who` the first time it comes to `at`; `reached` resolves once it is held there. */
  hold(who: string, at: HoldPoint): { reached: Promise<void>; open: () => void } {
    let reached!: () => void;
    let open!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    const opened = new Promise<void>((r) => (open = r));
    this.gates.set(who, { at, reached, opened, passed: false });
    return { reached: reachedP, open };
  }

  private async pass(at: HoldPoint, key: string): Promise<void> {
    const gate = this.gates.get(runner.getStore() ?? '');
    const here = at === 'commit' ? key.includes('_delta_log/') : key.endsWith('.parquet');
    if (!gate || gate.passed || gate.at !== at || !here) return;
    gate.passed = true;
    gate.reached();
    await gate.opened;
  }

  override async putIfAbsent(key: string, data: Uint8Array): Promise<boolean> {
    await this.pass('commit', key);
    return this.inner.putIfAbsent(key, data);
  }
  override async get(key: string): Promise<Uint8Array> {
    await this.pass('read', key);
    return this.inner.get(key);
  }
  override async getRange(key: string, offset: number, length: number): Promise<Uint8Array> {
    await this.pass('read', key);
    return this.inner.getRange(key, offset, length);
  }
}

const BRONZE = STEPS.filter((s) => s.layer === 'bronze');

for (const sharing of ['one Lake (one worker)', 'a Lake each (two workers)'] as const) {
  test(`${sharing}: a runner that planned before another committed the same step plans again; no row twice`, async () => {
    const data = generate(7);
    const rnd = random(7);
    const [reg, gym, kafka] = [increments(data.registrations, 2, rnd), increments(data.gymLogins, 2, rnd), increments(data.kafka, 2, rnd)];
    const part = (i: number) => ({ registrations: reg[i]!, gymLogins: gym[i]!, kafka: kafka[i]! });
    const lakeDir = await makeTestLake('fitlake-gated-');
    const store = new GatedStore(new LocalObjectStore(path.join(lakeDir.dir, 'lake')));
    const lakeA = new Lake(store);
    const lakeB = sharing === 'one Lake (one worker)' ? lakeA : new Lake(store);
    const ctxA: StepContext = { ...lakeDir.ctx, lake: lakeA };
    const ctxB: StepContext = { ...lakeDir.ctx, lake: lakeB };

    // Every table exists first: creating one is a commit too, and the gates are for the step's commits.
    for (const def of allTables) await Promise.all([lakeA.table(def), lakeB.table(def)]);
    await land(lakeDir.landingDir, 'part-0', part(0));
    await runPipeline(ctxA, BRONZE);
    // A plans heart_rate over bronze as it is, and is held at its first commit (quarantine).
    const gateA = store.hold('A', 'commit');
    const runA = runner.run('A', () => silverHeartRate.run(ctxA));
    await gateA.reached;
    // Upstream moves; B plans a longer range from the same checkpoint and is held while it reads it.
    await land(lakeDir.landingDir, 'part-1', part(1));
    await runPipeline(ctxB, BRONZE);
    const gateB = store.hold('B', 'read');
    const runB = runner.run('B', () => silverHeartRate.run(ctxB));
    await gateB.reached;
    // A commits its shorter range; then B goes on and commits: it must not write A's range again. (B
    // used to look for its checkpoints' conflicts in a quarantine snapshot refreshed after A's commit,
    // where A's shorter range looked like no conflict at all, and quarantined A's records a second time.)
    gateA.open();
    await runA;
    gateB.open();
    await runB;
    await runPipeline(ctxA);

    const once = await makeTestLake('fitlake-gated-once-');
    await land(once.landingDir, 'part-0', part(0));
    await land(once.landingDir, 'part-1', part(1));
    await runPipeline(once.ctx);
    assert.deepEqual(differences(await lakeLines(lakeA), await lakeLines(once.lake)), {});
    await rm(once.dir, { recursive: true, force: true });
    await rm(lakeDir.dir, { recursive: true, force: true });
  });
}
