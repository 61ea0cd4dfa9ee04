/**
 * The API under test over real HTTP: a server on 127.0.0.1:0 over a lake folder, a GraphQL client
 * function, tokens signed with a test secret, and the SBIT lake (both sets) built once per process.
 */
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { JwtSettings, ApiMode } from '../../config/api-settings.ts';
import { tablePath, type Cell, type TableDef } from '../../schema/types.ts';
import { LocalObjectStore, prefixedStore } from '../../lakehouse/storage/index.ts';
import { batchFromRows } from '../../lakehouse/table/columns/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { runPipeline } from '../../lakehouse/steps/run-pipeline.ts';
import { signToken, type TokenRequest } from '../../api/auth/sign-token.ts';
import { LakeData } from '../../api/data/lake-data.ts';
import type { QueryLimits } from '../../api/limits/use-limits.ts';
import { startApiServer } from '../../api/server.ts';
import { createApi, type ApiOptions } from '../../api/yoga.ts';
import type { YogaLogger } from 'graphql-yoga';
import { completedWorkouts, gymSummary, quarantineRecords, users, workoutBpm, workoutBpmSummary } from '../../schema/tables.ts';
import { parseDate, parseTimestamp } from '../../lakehouse/time.ts';
import { makeTestLake, type TestLake } from './pipeline.ts';
import { landSbitSet, sbitDir } from './sbit.ts';

export const TEST_JWT: JwtSettings = { secret: 'fitlake-test-secret-0123456789abcdef-0123456789', issuer: 'fitlake', audience: 'fitlake-api' };

export interface GqlResponse<D = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: D | null; errors?: { message: string; extensions?: Record<string, unknown>; path?: unknown[] }[] };
}

export interface TestApi {
  origin: string;
  url: string;
  data: LakeData;
  /** POST a query; `token` undefined sends no Authorization header. */
  gql<D = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<D>>;
  close(): Promise<void>;
}

export interface TestApiOptions {
  mode?: ApiMode;
  limits?: QueryLimits;
  /** Table refresh interval. @default 1000 */
  intervalMs?: number;
  /** yoga's logger. @default no logging */
  logger?: YogaLogger;
  /** @default the API's default per-client limits */
  rateLimit?: ApiOptions['rateLimit'];
}

/** The API over the lake at `lakeDir` (the folder holding bronze/, silver/, gold/). */
export async function startTestApi(lakeDir: string, { mode = 'development', limits, intervalMs = 1000, logger, rateLimit }: TestApiOptions = {}): Promise<TestApi> {
  const data = new LakeData(new LocalObjectStore(lakeDir), { intervalMs });
  const yoga = createApi({ data, jwt: TEST_JWT, mode, logging: logger ?? false, ...(limits ? { limits } : {}), ...(rateLimit !== undefined ? { rateLimit } : {}) });
  const running = await startApiServer(yoga, { host: '127.0.0.1', port: 0 });
  const url = `${running.origin}/graphql`;
  return {
    origin: running.origin,
    url,
    data,
    async gql<D>(query: string, variables?: Record<string, unknown>, token?: string) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, ...(variables ? { variables } : {}) }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GqlResponse<D>['body'] };
    },
    close: () => running.close(),
  };
}

/** A token signed with the test secret. */
export function testToken(request: TokenRequest, jwt: JwtSettings = TEST_JWT): Promise<string> {
  return signToken(jwt, request);
}

export const analystToken = () => testToken({ role: 'analyst' });
export const userToken = (userId: number) => testToken({ role: 'user', userId });

let sbitLakeBuild: Promise<TestLake> | undefined;

/**
 * The lake of SBIT sets 1 then 2 through the whole pipeline, built once per test process (callers must
 * not change it unless they are the last to use it). Undefined, with the test skipped, without the set.
 */
export async function sbitLake(t: TestContext): Promise<{ lakeDir: string; testLake: TestLake } | undefined> {
  const sbit = sbitDir(t);
  if (!sbit) return undefined;
  sbitLakeBuild ??= (async () => {
    const testLake = await makeTestLake('fitlake-api-');
    await landSbitSet(sbit, testLake.landingDir, 1);
    await runPipeline(testLake.ctx);
    await landSbitSet(sbit, testLake.landingDir, 2);
    await runPipeline(testLake.ctx);
    return testLake;
  })();
  const testLake = await sbitLakeBuild;
  return { lakeDir: path.join(testLake.dir, 'lake'), testLake };
}

/** Poll until `check` returns true or the time is up; resolves with whether it did. */
export async function eventually(check: () => Promise<boolean>, { timeoutMs = 5000, everyMs = 100 } = {}): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Create (if absent) the table of a declaration in a lake folder and append rows to it. */
export async function appendRows(lakeDir: string, def: TableDef, rows: readonly Record<string, Cell>[]): Promise<DeltaTable> {
  const table = await DeltaTable.createIfAbsent(prefixedStore(new LocalObjectStore(lakeDir), tablePath(def)), def);
  if (rows.length > 0) await table.append(batchFromRows(def.columns, rows));
  return table;
}

/** A small gold lake (no SBIT needed): two users, three workouts, three gym rows. */
export async function writeSmallLake(dir: string): Promise<void> {
  const day = parseDate('2024-05-04');
  await appendRows(dir, users, [
    { user_id: 1001, device_id: 501, mac_address: 'aa:aa:aa:aa:aa:01', registration_timestamp: parseTimestamp('2024-05-01T10:00:00Z') },
    { user_id: 1002, device_id: 502, mac_address: 'aa:aa:aa:aa:aa:02', registration_timestamp: parseTimestamp('2024-05-01T11:00:00Z') },
  ]);
  await appendRows(dir, completedWorkouts, [
    { user_id: 1001, workout_id: 1, session_id: 1, start_time: parseTimestamp('2024-05-04T08:00:00Z'), end_time: parseTimestamp('2024-05-04T09:00:00Z') },
    { user_id: 1001, workout_id: 2, session_id: 1, start_time: parseTimestamp('2024-05-05T08:00:00Z'), end_time: parseTimestamp('2024-05-05T08:30:00Z') },
    { user_id: 1002, workout_id: 1, session_id: 1, start_time: parseTimestamp('2024-05-04T18:00:00Z'), end_time: parseTimestamp('2024-05-04T19:00:00Z') },
  ]);
  const summary = (user_id: number, workout_id: number, avg: number, n: number, gender: string) => ({
    workout_id, session_id: 1, user_id, age: '35-45', gender, city: 'Pasadena', state: 'CA', min_bpm: avg - 20, avg_bpm: avg, max_bpm: avg + 30, num_recordings: n,
  });
  await appendRows(dir, workoutBpmSummary, [summary(1001, 1, 120, 3600, 'F'), summary(1001, 2, 100, 1800, 'F'), summary(1002, 1, 130, 3600, 'M')]);
  await appendRows(dir, gymSummary, [
    { date: day, gym: 1, mac_address: 'aa:aa:aa:aa:aa:01', workout_id: 1, session_id: 1, minutes_in_gym: 80, minutes_exercising: 60 },
    { date: day + 1, gym: 1, mac_address: 'aa:aa:aa:aa:aa:01', workout_id: 2, session_id: 1, minutes_in_gym: 40, minutes_exercising: 30 },
    { date: day, gym: 2, mac_address: 'aa:aa:aa:aa:aa:02', workout_id: 1, session_id: 1, minutes_in_gym: 70, minutes_exercising: 60 },
  ]);
}

/** The workouts of writeSmallLake: user, workout, start and end (session 1), as completed_workouts has them. */
export const SMALL_LAKE_WORKOUTS = [
  { userId: 1001, workoutId: 1, start: '2024-05-04T08:00:00Z', end: '2024-05-04T09:00:00Z' },
  { userId: 1001, workoutId: 2, start: '2024-05-05T08:00:00Z', end: '2024-05-05T08:30:00Z' },
  { userId: 1002, workoutId: 1, start: '2024-05-04T18:00:00Z', end: '2024-05-04T19:00:00Z' },
] as const;

/**
 * Silver workout_bpm and quarantine rows beside writeSmallLake's tables: one reading a second in each
 * workout's window (start < time <= end, so as many readings as the summary's num_recordings), one file
 * per workout (so that a curve's file pruning has files to skip), and five quarantined records under
 * two reasons. Returns the readings per workout, keyed `user/workout`.
 */
export async function writeSmallReadings(dir: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const w of SMALL_LAKE_WORKOUTS) {
    const start = parseTimestamp(w.start);
    const end = parseTimestamp(w.end);
    const rows: Record<string, Cell>[] = [];
    for (let time = start + 1_000_000; time <= end; time += 1_000_000) {
      const k = rows.length;
      // A warm-up, a plateau with intervals and a cool-down: something a person recognises as a workout.
      const shape = Math.min(1, k / 300, (end - time) / 300_000_000);
      rows.push({ user_id: w.userId, workout_id: w.workoutId, session_id: 1, start_time: start, end_time: end, time, heartrate: Math.round(70 + shape * (55 + 15 * Math.sin(k / 90))) });
    }
    await appendRows(dir, workoutBpm, rows);
    counts.set(`${w.userId}/${w.workoutId}`, rows.length);
  }
  const loadTime = parseTimestamp('2024-05-06T00:00:00Z');
  const q = (source: string, raw: string | null, reason: string) => ({ step: 'silver_heart_rate', target_table: 'heart_rate', source, raw, reason, load_time: loadTime });
  await appendRows(dir, quarantineRecords, [
    q('bpm/0/17', '{"device_id": 501, "time": "soon", "heartrate": 90}', 'time is not a number'),
    q('bpm/0/18', '{"device_id": 502, "time": "later", "heartrate": 91}', 'time is not a number'),
    q('bpm/0/19', '{"device_id": 501, "time": "never", "heartrate": 92}', 'time is not a number'),
    q('bpm/0/20', '{"device_id": 502, "time": 1714800000, "heartrate": -4}', 'heartrate out of range'),
    q('bpm/0/21', 'x'.repeat(600), 'heartrate out of range'),
  ]);
  return counts;
}
