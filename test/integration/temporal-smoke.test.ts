import '../support/quiet-temporal.ts';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { smokeActivities } from '../fixtures/smoke-activities.ts';
import { temporalAddress, uniqueName } from '../support/stack.ts';

const workflowsPath = fileURLToPath(new URL('../fixtures/smoke-workflows.ts', import.meta.url));

test('a workflow with an activity runs on the shared dev server through a worker', async (t) => {
  const address = temporalAddress(t);
  if (!address) return;
  const taskQueue = uniqueName('smoke');
  const nativeConnection = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  try {
    const worker = await Worker.create({ connection: nativeConnection, taskQueue, workflowsPath, activities: smokeActivities });
    const client = new Client({ connection });
    const result = await worker.runUntil(
      client.workflow.execute('smokeWorkflow', { taskQueue, workflowId: uniqueName('smoke-wf'), args: ['fitlake'] }),
    );
    assert.equal(result, `workflow says: hello fitlake from pid ${process.pid}`);
  } finally {
    await connection.close();
    await nativeConnection.close();
  }
});

test('@temporalio/testing starts its own server from the installed CLI, never a download', async (t) => {
  const executable = process.env.FITLAKE_TEMPORAL_BIN;
  if (!executable) return t.skip('FITLAKE_TEMPORAL_BIN unset: run through `npm test`, which installs the Temporal CLI');
  const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: executable }, ip: '127.0.0.1' } });
  try {
    const taskQueue = uniqueName('smoke-local');
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath, activities: smokeActivities });
    const result = await worker.runUntil(env.client.workflow.execute('smokeWorkflow', { taskQueue, workflowId: uniqueName('wf'), args: ['env'] }));
    assert.match(result, /^workflow says: hello env from pid \d+$/);
  } finally {
    await env.teardown();
  }
});
