/**
 * A response's fields come in the order of the query, as the GraphQL spec says, whichever resolver
 * finishes first, on the first execution of a document (graphql-js) and on later ones (graphql-jit).
 * yoga's own executor put them in the order they resolved: a query asking for pipelineStatus (it
 * awaits the tables) before workoutBpmSummaries got workoutBpmSummaries first.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { analystToken, startTestApi, writeSmallLake } from '../support/api-helpers.ts';

test('top-level and nested fields follow the query, first execution and compiled ones alike', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-field-order-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(path.join(dir, 'lake'));
  const api = await startTestApi(path.join(dir, 'lake'));
  t.after(() => api.close());
  const token = await analystToken();
  const query = 'query($n: Int) { pipelineStatus { version path } workoutBpmSummaries(first: $n) { totalCount edges { node { avgBpm userId } } } gymSummaries { totalCount } }';
  // Other variables each time: the same document executed again (compiled the second time), never a cached answer.
  for (const n of [1, 2, 3]) {
    const { body } = await api.gql<Record<string, unknown>>(query, { n }, token);
    assert.equal(body.errors, undefined);
    assert.deepEqual(Object.keys(body.data!), ['pipelineStatus', 'workoutBpmSummaries', 'gymSummaries'], `execution ${n}`);
    const summaries = body.data!['workoutBpmSummaries'] as { edges: { node: Record<string, unknown> }[] };
    assert.deepEqual(Object.keys(summaries), ['totalCount', 'edges']);
    assert.deepEqual(Object.keys(summaries.edges[0]!.node), ['avgBpm', 'userId']);
    assert.deepEqual(Object.keys((body.data!['pipelineStatus'] as Record<string, unknown>[])[0]!), ['version', 'path']);
  }
});
