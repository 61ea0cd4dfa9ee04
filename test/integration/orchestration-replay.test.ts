/**
 * Replay: every recorded history in test/fixtures/histories (real runs, recorded with
 * test/fixtures/record-histories.ts) must replay against today's workflows without a non-determinism
 * error, so a workflow change that would break runs in flight fails here first. Local: no server needed.
 */
import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { workflowsPath } from '../../workers/pipeline-worker.ts';
import { SKIP_IDLE_STEPS_PATCH } from '../../workflows/pipeline.ts';
import { HISTORIES_DIR, historyFromJson } from '../support/temporal-helpers.ts';

test('every recorded pipeline history replays deterministically; a changed input does not', async () => {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  // Both generations: recorded before the skip-steps-without-input patch (runs in flight then must keep
  // replaying the old command sequence) and with it (the new path: local planning, skipped steps).
  const expected = ['pipeline-once.json', 'pipeline-continuous.json', 'pipeline-once-skip-idle.json', 'pipeline-continuous-skip-idle.json'];
  assert.ok(expected.every((f) => files.includes(f)), `histories found: ${files.join(', ')}`);
  const texts = new Map(await Promise.all(files.map(async (f) => [f, await readFile(path.join(HISTORIES_DIR, f), 'utf8')] as const)));
  // The patch marker's id travels as a base64 JSON payload.
  const marker = Buffer.from(JSON.stringify({ id: SKIP_IDLE_STEPS_PATCH, deprecated: false })).toString('base64');
  for (const f of expected) assert.equal(texts.get(f)!.includes(marker), f.includes('skip-idle'), `${f}: patch marker`);
  // One bundle for every replay below (bundling is most of the cost).
  const workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  const options = { workflowBundle, replayName: 'fitlake-replay' };

  const outcomes: string[] = [];
  for await (const result of Worker.runReplayHistories(options, files.map((f) => ({ workflowId: f, history: historyFromJson(texts.get(f)!) })))) {
    outcomes.push(`${result.workflowId}: ${result.error ? `${result.error.name}: ${result.error.message}` : 'ok'}`);
  }
  assert.deepEqual(outcomes, files.map((f) => `${f}: ok`));

  // The check has teeth: the once run's history with its input turned to continuous mode asks the
  // workflow for a timer where the history completed; the replayer must call that out (the SDK core
  // also logs it as a WARN line).
  const changed = JSON.parse(texts.get('pipeline-once.json')!) as { events: { workflowExecutionStartedEventAttributes?: { input: { payloads: { data: string }[] } } }[] };
  const payload = changed.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads[0]!;
  payload.data = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload.data, 'base64').toString()), mode: 'continuous' })).toString('base64');
  await assert.rejects(Worker.runReplayHistory(options, historyFromJson(JSON.stringify(changed)), 'changed-input'), (e: Error) => e.name === 'DeterminismViolationError');
});
