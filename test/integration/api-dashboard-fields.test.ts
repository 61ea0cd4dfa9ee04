/**
 * The fields the dashboard reads, over real HTTP on a small lake with readings and quarantined records:
 * a workout's heart-rate curve (all its readings, in order, for whoever may see the workout and nobody
 * else), the workouts' date range, the quarantine by reason (analysts only), and the cost of curves.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LocalObjectStore, prefixedStore } from '../../lakehouse/storage/index.ts';
import { pruneFiles } from '../../lakehouse/table/files/index.ts';
import { DeltaTable } from '../../lakehouse/table/index.ts';
import { parseTimestamp } from '../../lakehouse/time.ts';
import { workoutBpm } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { curvePredicates } from '../../api/data/heart-rate-curve.ts';
import { analystToken, startTestApi, userToken, writeSmallLake, writeSmallReadings, type TestApi } from '../support/api-helpers.ts';

interface Point {
  time: string;
  bpm: number;
}
interface CurveAnswer {
  workoutBpmSummaries: { edges: { node: { userId: string; workoutId: string; numRecordings: number; heartRate: Point[] } }[] };
}

const CURVES = `query($f: WorkoutBpmSummaryFilter) { workoutBpmSummaries(filter: $f, first: 10) { edges { node { userId workoutId numRecordings heartRate { time bpm } } } } }`;

describe('API fields of the dashboard', { concurrency: false }, () => {
  let dir: string;
  let api: TestApi;
  let readings: Map<string, number>;
  let analyst: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-dashboard-'));
    await writeSmallLake(dir);
    readings = await writeSmallReadings(dir);
    api = await startTestApi(dir);
    analyst = await analystToken();
  });
  after(async () => {
    await api?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws every reading of a workout, in time order, inside its window', async () => {
    const { body } = await api.gql<CurveAnswer>(CURVES, { f: { userId: 1001, workoutId: 1 } }, analyst);
    assert.equal(body.errors, undefined);
    const [edge] = body.data!.workoutBpmSummaries.edges;
    const curve = edge!.node.heartRate;
    assert.equal(curve.length, readings.get('1001/1'));
    assert.equal(curve.length, edge!.node.numRecordings, 'as many points as the summary counted');
    assert.equal(curve[0]!.time, '2024-05-04T08:00:01.000000Z');
    assert.equal(curve.at(-1)!.time, '2024-05-04T09:00:00.000000Z');
    assert.ok(curve.every((p, i) => i === 0 || p.time > curve[i - 1]!.time), 'ascending times');
    assert.ok(curve.every((p) => p.bpm >= 60 && p.bpm <= 150));
  });

  it("reads only the files whose statistics admit the workout's user and window", async () => {
    const table = await DeltaTable.open(prefixedStore(new LocalObjectStore(dir), tablePath(workoutBpm)));
    assert.equal(table.snapshot.files.size, 3, 'one file per workout');
    const window = { start: parseTimestamp('2024-05-05T08:00:00Z'), end: parseTimestamp('2024-05-05T08:30:00Z') };
    assert.equal(pruneFiles(table.snapshot, curvePredicates({ userId: 1001, workoutId: 2, sessionId: 1, window })).length, 1);
    assert.equal(pruneFiles(table.snapshot, curvePredicates({ userId: 1003, workoutId: 1, sessionId: 1 })).length, 0);
  });

  it('gives each workout its own readings: nothing of another workout or user', async () => {
    const { body } = await api.gql<CurveAnswer>(CURVES, {}, analyst);
    const lengths = Object.fromEntries(body.data!.workoutBpmSummaries.edges.map((e) => [`${e.node.userId}/${e.node.workoutId}`, e.node.heartRate.length]));
    assert.deepEqual(lengths, Object.fromEntries(readings));
  });

  it("shows a user token its own curves and never another user's, whichever way it asks", async () => {
    const own = await userToken(1001);
    const mine = await api.gql<CurveAnswer>(CURVES, {}, own);
    assert.deepEqual(mine.body.data!.workoutBpmSummaries.edges.map((e) => [e.node.userId, e.node.heartRate.length]), [
      ['1001', readings.get('1001/1')],
      ['1001', readings.get('1001/2')],
    ]);
    const theirs = await api.gql<CurveAnswer>(CURVES, { f: { userId: 1002 } }, own);
    assert.deepEqual(theirs.body.data!.workoutBpmSummaries.edges, []);
    const viaUser = await api.gql<{ user: unknown }>(`{ user(id: 1002) { workouts(first: 10) { edges { node { heartRate { bpm } } } } } }`, {}, own);
    assert.equal(viaUser.body.data!.user, null);
  });

  it('filters workouts by the UTC day they started, inclusive', async () => {
    const ids = async (f: Record<string, unknown>) =>
      (await api.gql<{ workoutBpmSummaries: { totalCount: number; edges: { node: { userId: string; workoutId: string } }[] } }>(`query($f: WorkoutBpmSummaryFilter) { workoutBpmSummaries(filter: $f) { totalCount edges { node { userId workoutId } } } }`, { f }, analyst)).body.data!.workoutBpmSummaries.edges.map((e) => `${e.node.userId}/${e.node.workoutId}`);
    assert.deepEqual(await ids({ dateFrom: '2024-05-04', dateTo: '2024-05-04' }), ['1001/1', '1002/1']);
    assert.deepEqual(await ids({ dateFrom: '2024-05-05' }), ['1001/2']);
    assert.deepEqual(await ids({ dateTo: '2024-05-03' }), []);
    const bad = await api.gql(`{ workoutBpmSummaries(filter: { dateFrom: "2024-05-05", dateTo: "2024-05-04" }) { totalCount } }`, {}, analyst);
    assert.equal(bad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    const stats = await api.gql<{ workoutStats: { workouts: number }[] }>(`{ workoutStats(filter: { dateFrom: "2024-05-05" }) { workouts } }`, {}, analyst);
    assert.deepEqual(stats.body.data!.workoutStats, [{ workouts: 1 }]);
  });

  it('counts the quarantine by reason with examples for analysts, and refuses user tokens', async () => {
    const query = `{ quarantine(examplesPerReason: 2) { total reasonCount reasons { targetTable step reason count examples { source raw rawTruncated loadTime } } } }`;
    const { body } = await api.gql<{ quarantine: { total: number; reasonCount: number; reasons: { reason: string; count: number; examples: { raw: string; rawTruncated: boolean }[] }[] } }>(query, {}, analyst);
    assert.equal(body.errors, undefined);
    const q = body.data!.quarantine;
    assert.equal(q.total, 5);
    assert.equal(q.reasonCount, 2);
    assert.deepEqual(q.reasons.map((r) => [r.reason, r.count, r.examples.length]), [
      ['time is not a number', 3, 2],
      ['heartrate out of range', 2, 2],
    ]);
    const long = q.reasons[1]!.examples.find((e) => e.rawTruncated)!;
    assert.equal(long.raw.length, 500);
    const refused = await api.gql(query, {}, await userToken(1001));
    assert.equal(refused.body.data?.quarantine, null);
    assert.equal(refused.body.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    const tooMany = await api.gql(`{ quarantine(examplesPerReason: 50) { total } }`, {}, analyst);
    assert.equal(tooMany.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  });

  it('prices curves: a page of a hundred is refused before anything is read', async () => {
    const { body } = await api.gql(`{ workoutBpmSummaries(first: 100) { edges { node { heartRate { bpm } } } } }`, {}, analyst);
    assert.equal(body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
  });
});
