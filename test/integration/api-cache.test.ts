/**
 * The response cache over real HTTP (api/http-handler.ts), on a small lake written here: a repeated
 * query is answered from the cache with the same bytes; a new table version is served at once; a
 * viewer never gets another viewer's answer; a bad or expired token is 401 even for a cached query;
 * errors and pipelineStatus are not cached; the byte bound evicts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { workoutBpmSummary } from '../../schema/tables.ts';
import type { Cell } from '../../schema/types.ts';
import { LocalObjectStore } from '../../lakehouse/storage/index.ts';
import { LakeData } from '../../api/data/lake-data.ts';
import { startApiServer, type RunningApi } from '../../api/server.ts';
import { createApi, type Api } from '../../api/yoga.ts';
import { appendRows, eventually, TEST_JWT, testToken } from '../support/api-helpers.ts';

const summary = (user_id: number, workout_id: number, avg: number): Record<string, Cell> => ({
  workout_id, session_id: 1, user_id, age: '35-45', gender: 'F', city: 'Pasadena', state: 'CA', min_bpm: avg - 20, avg_bpm: avg, max_bpm: avg + 30, num_recordings: 600,
});

const PAGE = `query Page($first: Int) { workoutBpmSummaries(first: $first, sort: { field: AVG_BPM, direction: DESC }) { totalCount edges { node { userId workoutId avgBpm } } } }`;

interface Served {
  api: Api;
  data: LakeData;
  running: RunningApi;
  /** POST a raw body; returns status and the exact body text. */
  post(body: string, token?: string): Promise<{ status: number; text: string }>;
  close(): Promise<void>;
}

async function serve(lakeDir: string, options: { responseCacheBytes?: number; now?: () => number; intervalMs?: number } = {}): Promise<Served> {
  const data = new LakeData(new LocalObjectStore(lakeDir), { intervalMs: options.intervalMs ?? 1000 });
  const api = createApi({ data, jwt: TEST_JWT, mode: 'production', logging: false, ...options });
  const running = await startApiServer(api, { host: '127.0.0.1', port: 0 });
  return {
    api,
    data,
    running,
    async post(body, token) {
      const response = await fetch(`${running.origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body });
      return { status: response.status, text: await response.text() };
    },
    close: () => running.close(),
  };
}

const body = (query: string, variables?: Record<string, unknown>) => JSON.stringify({ query, ...(variables ? { variables } : {}) });

describe('API response cache', { concurrency: false }, () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-cache-'));
    await appendRows(dir, workoutBpmSummary, [summary(1001, 1, 120), summary(1001, 2, 100), summary(1002, 1, 130)]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('answers a repeated query from the cache, byte for byte', async () => {
    const s = await serve(dir);
    try {
      const token = await testToken({ role: 'analyst' });
      const first = await s.post(body(PAGE, { first: 2 }), token);
      assert.equal(first.status, 200);
      assert.equal((JSON.parse(first.text) as { data: { workoutBpmSummaries: { totalCount: number } } }).data.workoutBpmSummaries.totalCount, 3);
      assert.deepEqual([s.api.cache!.size, s.api.cache!.hits], [1, 0]);
      const second = await s.post(body(PAGE, { first: 2 }), token);
      assert.deepEqual(second, first);
      assert.equal(s.api.cache!.hits, 1);
      // Other variables: another key, another answer.
      const third = await s.post(body(PAGE, { first: 1 }), token);
      assert.notEqual(third.text, first.text);
      assert.equal(s.api.cache!.size, 2);
    } finally {
      await s.close();
    }
  });

  it('serves a new table version at once: no stale cached answer', async () => {
    const own = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-cache-v-'));
    const s = await serve(own, { intervalMs: 20 });
    try {
      await appendRows(own, workoutBpmSummary, [summary(1001, 1, 120)]);
      const token = await testToken({ role: 'analyst' });
      const count = async () => (JSON.parse((await s.post(body(PAGE), token)).text) as { data: { workoutBpmSummaries: { totalCount: number } } }).data.workoutBpmSummaries.totalCount;
      assert.equal(await count(), 1);
      assert.equal(await count(), 1);
      assert.equal(s.api.cache!.hits, 1);
      const oldVersions = await s.data.versions();
      await appendRows(own, workoutBpmSummary, [summary(1002, 1, 130)]);
      // Once the new version is the one served, the very next answer must be of it.
      assert.ok(await eventually(async () => (await s.data.versions()) !== oldVersions, { timeoutMs: 10_000, everyMs: 20 }), 'the new version was never loaded');
      assert.equal(await count(), 2);
    } finally {
      await s.close();
      await rm(own, { recursive: true, force: true });
    }
  });

  it('never gives one viewer the cached answer of another', async () => {
    const s = await serve(dir);
    try {
      const ids = async (token: string) =>
        (JSON.parse((await s.post(body(PAGE), token)).text) as { data: { workoutBpmSummaries: { edges: { node: { userId: string } }[] } } }).data.workoutBpmSummaries.edges.map((e) => e.node.userId);
      const u1 = await testToken({ role: 'user', userId: 1001 });
      const u2 = await testToken({ role: 'user', userId: 1002 });
      const analyst = await testToken({ role: 'analyst' });
      assert.deepEqual(await ids(u1), ['1001', '1001']);
      assert.deepEqual(await ids(u1), ['1001', '1001']); // from the cache
      assert.equal(s.api.cache!.hits, 1);
      assert.deepEqual(await ids(u2), ['1002']);
      assert.deepEqual(await ids(analyst), ['1002', '1001', '1001']);
      // Another token of the same user shares its answers (same viewer, same rows).
      const u1Again = await testToken({ role: 'user', userId: 1001, ttlSeconds: 120 });
      assert.deepEqual(await ids(u1Again), ['1001', '1001']);
      assert.equal(s.api.cache!.hits, 2);
    } finally {
      await s.close();
    }
  });

  it('still answers 401 to a missing, bad or expired token when the query is cached', async () => {
    let now = Date.now();
    const s = await serve(dir, { now: () => now });
    try {
      const token = await testToken({ role: 'analyst', ttlSeconds: 60, now });
      const q = body(PAGE, { first: 3 });
      assert.equal((await s.post(q, token)).status, 200);
      assert.equal((await s.post(q, token)).status, 200);
      assert.equal(s.api.cache!.hits, 1);
      const [h, p] = token.split('.');
      for (const bad of [undefined, `${h}.${p}.AAAA`, await testToken({ role: 'analyst' }, { ...TEST_JWT, secret: 'another-secret-0123456789-0123456789-x' })]) {
        const r = await s.post(q, bad);
        assert.equal(r.status, 401, String(bad));
        assert.match(r.text, /UNAUTHENTICATED/);
      }
      now += 61_000;
      const expired = await s.post(q, token);
      assert.equal(expired.status, 401);
      assert.equal(s.api.cache!.hits, 1);
    } finally {
      await s.close();
    }
  });

  it('keeps no errors and no pipelineStatus, and evicts beyond its byte bound', async () => {
    const s = await serve(dir, { responseCacheBytes: 4_000 });
    try {
      const token = await testToken({ role: 'analyst' });
      const badCursor = body(`{ workoutBpmSummaries(after: "nope") { totalCount } }`);
      const oversized = body(`{ workoutBpmSummaries(first: 100000) { totalCount } }`);
      const status = body(`{ pipelineStatus { path version freshnessSeconds } }`);
      for (const q of [badCursor, badCursor, oversized, oversized, status, status]) await s.post(q, token);
      assert.equal(s.api.cache!.size, 0);
      assert.equal(s.api.cache!.hits, 0);
      for (let first = 1; first <= 20; first++) assert.equal((await s.post(body(PAGE, { first }), token)).status, 200);
      assert.ok(s.api.cache!.evictions > 0, 'nothing was evicted');
      assert.ok(s.api.cache!.bytes <= 4_000, `${s.api.cache!.bytes} bytes held`);
    } finally {
      await s.close();
    }
  });

  it('is off with a bound of 0: yoga answers every request', async () => {
    const s = await serve(dir, { responseCacheBytes: 0 });
    try {
      assert.equal(s.api.cache, undefined);
      const token = await testToken({ role: 'analyst' });
      const a = await s.post(body(PAGE), token);
      assert.deepEqual(await s.post(body(PAGE), token), a);
    } finally {
      await s.close();
    }
  });
});
