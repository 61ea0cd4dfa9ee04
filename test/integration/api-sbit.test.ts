/**
 * The GraphQL API over real HTTP against a lake built from SBIT sets 1 and 2 (gold rows as in
 * ../shared/sbit/README.md: 16 gym_summary rows, 1 workout_bpm_summary row): every query and filter,
 * pagination walking every page, the role rules (aggregates included), and a new table version
 * becoming visible without a restart. Skipped with a message when ../shared/sbit is absent.
 */
import assert from 'node:assert/strict';
import { after, describe, it, type TestContext } from 'node:test';
import { allTables, gymSummary } from '../../schema/tables.ts';
import { tablePath } from '../../schema/types.ts';
import { formatDate, parseDate } from '../../lakehouse/time.ts';
import { GYM_SUMMARY_LINES } from '../../simulator/sbit-expected.ts';
import { analystToken, appendRows, eventually, sbitLake, startTestApi, userToken, type TestApi } from '../support/api-helpers.ts';

/** README's gold gym_summary after set 2, as the API spells its fields. */
const GYM_ROWS = GYM_SUMMARY_LINES
  .map((line) => {
    const [date, gym, mac, workout, session, inGym, exercising] = line.trim().split(' ') as [string, string, string, string, string, string, string];
    return { date, gym, macAddress: mac, workoutId: workout, sessionId: session, minutesInGym: Number(inGym), minutesExercising: Number(exercising) };
  });

type GymRow = (typeof GYM_ROWS)[number];

const GYM_FIELDS = 'date gym macAddress workoutId sessionId minutesInGym minutesExercising';
const WORKOUT_FIELDS = 'userId workoutId sessionId ageBin gender city state minBpm avgBpm maxBpm numRecordings startTime endTime';

const USER_12474 = { userId: '12474', deviceId: '118440', macAddress: '4c:c5:9f:cb:13:bd', registeredAt: '2023-03-10T12:26:08.000000Z' };
const MAC_11745 = '14:cd:d6:db:70:f6';

interface Connection<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: N }[];
}

let api: TestApi;
let analyst: string;
let lakeDir: string;
let starting: Promise<void> | undefined;

/** The API over the SBIT lake, started once; false (test skipped with a message) without the set. */
async function setup(t: TestContext): Promise<boolean> {
  const lake = await sbitLake(t);
  if (!lake) return false;
  starting ??= (async () => {
    lakeDir = lake.lakeDir;
    api = await startTestApi(lakeDir);
    analyst = await analystToken();
  })();
  await starting;
  return true;
}

/** The data of a query that must succeed. */
async function query<D = Record<string, unknown>>(text: string, variables?: Record<string, unknown>, token: string = analyst): Promise<D> {
  const response = await api.gql<D>(text, variables, token);
  assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
  assert.equal(response.status, 200);
  return response.body.data as D;
}

/** The error codes of a query that must fail. */
async function errorCodes(text: string, variables?: Record<string, unknown>, token: string = analyst): Promise<string[]> {
  const response = await api.gql(text, variables, token);
  assert.ok(response.body.errors && response.body.errors.length > 0, `expected errors, got ${JSON.stringify(response.body)}`);
  return response.body.errors.map((e) => String(e.extensions?.code));
}

const gymCount = async (filter: Record<string, unknown>, token?: string) =>
  (await query<{ gymSummaries: Connection<GymRow> }>(`query($f: GymSummaryFilter) { gymSummaries(filter: $f) { totalCount } }`, { f: filter }, token)).gymSummaries.totalCount;

const workoutCount = async (filter: Record<string, unknown>, token?: string) =>
  (await query<{ workoutBpmSummaries: Connection<unknown> }>(`query($f: WorkoutBpmSummaryFilter) { workoutBpmSummaries(filter: $f) { totalCount } }`, { f: filter }, token)).workoutBpmSummaries.totalCount;

describe('the GraphQL API over the SBIT lake', { concurrency: false }, () => {
  after(async () => {
    if (starting) await api.close();
  });

  const live = (name: string, fn: () => Promise<void>): void => {
    it(name, async (t) => {
      if (await setup(t)) await fn();
    });
  };

  live('workoutBpmSummaries returns the README row with exact values, ids as strings and times as ISO-8601', async () => {
    const data = await query<{ workoutBpmSummaries: Connection<Record<string, unknown>> }>(`{ workoutBpmSummaries { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${WORKOUT_FIELDS} } } } }`);
    const c = data.workoutBpmSummaries;
    assert.equal(c.totalCount, 1);
    assert.equal(c.pageInfo.hasNextPage, false);
    assert.equal(c.pageInfo.hasPreviousPage, false);
    assert.equal(c.edges.length, 1);
    assert.equal(c.edges[0]!.cursor, c.pageInfo.endCursor);
    const node = c.edges[0]!.node;
    assert.deepEqual(
      { ...node, avgBpm: undefined },
      {
        userId: '12474',
        workoutId: '1',
        sessionId: '1',
        ageBin: '75-85',
        gender: 'M',
        city: 'San Fernando',
        state: 'CA',
        minBpm: 35.003105735835994,
        avgBpm: undefined,
        maxBpm: 94.98191173214704,
        numRecordings: 3900,
        startTime: '2023-03-11T08:05:00.000000Z',
        endTime: '2023-03-11T09:10:00.000000Z',
      },
    );
    assert.ok(Math.abs((node.avgBpm as number) - 64.64236486026886) < 1e-9);
  });

  live('every workoutBpmSummaries filter selects the row when it matches and nothing when it does not', async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{}, 1],
      [{ userId: '12474' }, 1],
      [{ userId: 12474 }, 1],
      [{ userId: '11745' }, 0],
      [{ workoutId: 1 }, 1],
      [{ workoutId: 2 }, 0],
      [{ sessionId: '1' }, 1],
      [{ sessionId: 2 }, 0],
      [{ ageBin: '75-85' }, 1],
      [{ ageBin: '18-25' }, 0],
      [{ gender: 'M' }, 1],
      [{ gender: 'F' }, 0],
      [{ city: 'San Fernando' }, 1],
      [{ city: 'Long Beach' }, 0],
      [{ state: 'CA' }, 1],
      [{ state: 'NV' }, 0],
      [{ avgBpm: { gte: 64, lte: 65 } }, 1],
      [{ avgBpm: { gt: 64.65 } }, 0],
      [{ minBpm: { lt: 35.1 } }, 1],
      [{ minBpm: { gte: 36 } }, 0],
      [{ maxBpm: { gte: 94.9, lt: 95 } }, 1],
      [{ maxBpm: { gt: 95 } }, 0],
      [{ numRecordings: { gte: 3900, lte: 3900 } }, 1],
      [{ numRecordings: { gt: 3900 } }, 0],
      [{ gender: 'M', city: 'San Fernando', avgBpm: { gte: 60 } }, 1],
      [{ gender: 'M', city: 'Long Beach' }, 0],
    ];
    for (const [filter, expected] of cases) assert.equal(await workoutCount(filter), expected, JSON.stringify(filter));
    for (const field of ['KEY', 'AVG_BPM', 'MIN_BPM', 'MAX_BPM', 'NUM_RECORDINGS']) {
      for (const direction of ['ASC', 'DESC']) {
        const data = await query<{ workoutBpmSummaries: Connection<{ userId: string }> }>(`query($s: WorkoutBpmSummarySort) { workoutBpmSummaries(sort: $s) { edges { node { userId } } } }`, { s: { field, direction } });
        assert.deepEqual(data.workoutBpmSummaries.edges.map((e) => e.node.userId), ['12474'], `${field} ${direction}`);
      }
    }
    assert.deepEqual(await errorCodes(`{ workoutBpmSummaries(filter: { avgBpm: { gte: 70, lte: 60 } }) { totalCount } }`), ['BAD_USER_INPUT']);
  });

  live('gymSummaries returns the 16 README rows in key order, and every filter selects the right ones', async () => {
    const data = await query<{ gymSummaries: Connection<GymRow> }>(`{ gymSummaries(first: 500) { totalCount edges { node { ${GYM_FIELDS} } } } }`);
    assert.equal(data.gymSummaries.totalCount, 16);
    assert.deepEqual(
      data.gymSummaries.edges.map((e) => e.node),
      GYM_ROWS,
    );
    const expected = (keep: (r: GymRow) => boolean) => GYM_ROWS.filter(keep).length;
    const cases: [Record<string, unknown>, number][] = [
      [{ dateFrom: '2023-03-12' }, expected((r) => r.date >= '2023-03-12')],
      [{ dateTo: '2023-03-11' }, expected((r) => r.date <= '2023-03-11')],
      [{ dateFrom: '2023-03-12', dateTo: '2023-03-12' }, 8],
      [{ dateFrom: '2023-03-13' }, 0],
      [{ gym: 3 }, expected((r) => r.gym === '3')],
      [{ gym: '5' }, expected((r) => r.gym === '5')],
      [{ gym: 7 }, 0],
      [{ macAddress: '36:1f:d9:d3:e8:0d' }, 2],
      [{ macAddress: '00:00:00:00:00:00' }, 0],
      [{ userId: 12474 }, 1],
      [{ userId: '11745' }, 2],
      [{ userId: 99999 }, 0],
      [{ userId: 11745, macAddress: MAC_11745 }, 2],
      [{ userId: 11745, macAddress: '36:1f:d9:d3:e8:0d' }, 0],
      [{ gym: 5, dateTo: '2023-03-11' }, 4],
    ];
    for (const [filter, n] of cases) assert.equal(await gymCount(filter), n, JSON.stringify(filter));
    const ownRows = await query<{ gymSummaries: Connection<GymRow> }>(`{ gymSummaries(filter: { userId: 12474 }) { edges { node { ${GYM_FIELDS} } } } }`);
    assert.deepEqual(ownRows.gymSummaries.edges.map((e) => e.node), GYM_ROWS.filter((r) => r.macAddress === USER_12474.macAddress));
    assert.deepEqual(await errorCodes(`{ gymSummaries(filter: { dateFrom: "2023-03-12", dateTo: "2023-03-11" }) { totalCount } }`), ['BAD_USER_INPUT']);
    // A malformed date is refused by the Date scalar before any resolver runs.
    const bad = await api.gql(`{ gymSummaries(filter: { dateFrom: "11/03/2023" }) { totalCount } }`, undefined, analyst);
    assert.match(bad.body.errors![0]!.message, /Date must be an ISO-8601 calendar date YYYY-MM-DD/);
  });

  for (const [field, direction] of [
    ['KEY', 'ASC'],
    ['KEY', 'DESC'],
    ['MINUTES_EXERCISING', 'DESC'],
    ['MINUTES_IN_GYM', 'ASC'],
    ['GYM', 'DESC'],
    ['DATE', 'ASC'],
  ] as const) {
    live(`gymSummaries pages of 3 sorted by ${field} ${direction} walk all 16 rows without gaps or repeats`, async () => {
      const seen: GymRow[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const data: { gymSummaries: Connection<GymRow> } = await query(
          `query($after: String, $sort: GymSummarySort) { gymSummaries(first: 3, after: $after, sort: $sort) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${GYM_FIELDS} } } } }`,
          { after, sort: { field, direction } },
        );
        const c = data.gymSummaries;
        pages++;
        assert.equal(c.totalCount, 16);
        assert.equal(c.pageInfo.hasPreviousPage, after !== null);
        assert.ok(c.edges.length <= 3);
        if (c.edges.length > 0) assert.equal(c.edges[c.edges.length - 1]!.cursor, c.pageInfo.endCursor);
        seen.push(...c.edges.map((e) => e.node));
        if (!c.pageInfo.hasNextPage) break;
        assert.equal(c.edges.length, 3);
        after = c.pageInfo.endCursor;
        assert.ok(pages < 10, 'too many pages');
      }
      assert.equal(pages, 6);
      const key = (r: GymRow) => `${r.date} ${r.gym} ${r.macAddress} ${r.workoutId} ${r.sessionId}`;
      assert.equal(new Set(seen.map(key)).size, 16, 'a row was repeated');
      // The order the API promises: the sort field, ties by the key, both in the asked direction.
      const column = { KEY: () => 0, MINUTES_EXERCISING: (r: GymRow) => r.minutesExercising, MINUTES_IN_GYM: (r: GymRow) => r.minutesInGym, GYM: (r: GymRow) => Number(r.gym), DATE: (r: GymRow) => parseDate(r.date) }[field];
      const sign = direction === 'ASC' ? 1 : -1;
      const expected = [...GYM_ROWS].sort((a, b) => sign * (column(a) - column(b) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)));
      assert.deepEqual(seen, expected);
    });
  }

  live('a cursor of another sort or connection, or garbage, is a clear BAD_USER_INPUT', async () => {
    const page = await query<{ gymSummaries: Connection<GymRow> }>(`{ gymSummaries(first: 3) { pageInfo { endCursor } } }`);
    const cursor = page.gymSummaries.pageInfo.endCursor!;
    assert.deepEqual(await errorCodes(`query($c: String) { gymSummaries(first: 3, after: $c, sort: { field: GYM }) { totalCount } }`, { c: cursor }), ['BAD_USER_INPUT']);
    assert.deepEqual(await errorCodes(`query($c: String) { workoutBpmSummaries(after: $c) { totalCount } }`, { c: cursor }), ['BAD_USER_INPUT']);
    assert.deepEqual(await errorCodes(`{ gymSummaries(after: "not-a-cursor!") { totalCount } }`), ['BAD_USER_INPUT']);
  });

  live('workoutStats groups by demographics and by day or week of the start, with avgBpm weighted by recordings', async () => {
    const data = await query<{ all: unknown[]; day: unknown[]; week: unknown[] }>(`{
      all: workoutStats(groupBy: [AGE_BIN, GENDER, CITY, STATE]) { ageBin gender city state periodStart workouts recordings avgBpm minBpm maxBpm }
      day: workoutStats(groupBy: [GENDER], period: DAY) { ageBin gender periodStart workouts }
      week: workoutStats(period: WEEK) { gender periodStart workouts maxBpm }
    }`);
    const [row] = data.all as { avgBpm: number }[];
    assert.equal(data.all.length, 1);
    assert.deepEqual(
      { ...row, avgBpm: undefined },
      { ageBin: '75-85', gender: 'M', city: 'San Fernando', state: 'CA', periodStart: null, workouts: 1, recordings: '3900', avgBpm: undefined, minBpm: 35.003105735835994, maxBpm: 94.98191173214704 },
    );
    assert.ok(Math.abs(row!.avgBpm - 64.64236486026886) < 1e-9);
    assert.deepEqual(data.day, [{ ageBin: null, gender: 'M', periodStart: '2023-03-11', workouts: 1 }]);
    // 2023-03-11 is a Saturday: its week started on Sunday 2023-03-05.
    assert.deepEqual(data.week, [{ gender: null, periodStart: '2023-03-05', workouts: 1, maxBpm: 94.98191173214704 }]);
    const none = await query<{ workoutStats: unknown[] }>(`{ workoutStats(groupBy: [CITY], filter: { city: "Long Beach" }) { city workouts } }`);
    assert.deepEqual(none.workoutStats, []);
  });

  live('gymUtilisation counts visits once and divides minutes exercising by minutes in the gym', async () => {
    const expected = (periodOf: (date: string) => string | null) => {
      const groups = new Map<string, { gym: string; periodStart: string | null; visits: Set<string>; workouts: number; minutesInGym: number; minutesExercising: number }>();
      for (const r of GYM_ROWS) {
        const p = periodOf(r.date);
        const k = `${p} ${r.gym}`;
        const g = groups.get(k) ?? { gym: r.gym, periodStart: p, visits: new Set<string>(), workouts: 0, minutesInGym: 0, minutesExercising: 0 };
        const visit = `${r.date} ${r.macAddress} ${r.minutesInGym}`;
        if (!g.visits.has(visit)) g.minutesInGym += r.minutesInGym;
        g.visits.add(visit);
        g.workouts++;
        g.minutesExercising += r.minutesExercising;
        groups.set(k, g);
      }
      return [...groups.values()]
        .map((g) => ({ gym: g.gym, periodStart: g.periodStart, visits: g.visits.size, workouts: g.workouts, minutesInGym: g.minutesInGym, minutesExercising: g.minutesExercising, utilisation: g.minutesExercising / g.minutesInGym }))
        .sort((a, b) => String(a.periodStart).localeCompare(String(b.periodStart)) || Number(a.gym) - Number(b.gym));
    };
    const fields = 'gym periodStart visits workouts minutesInGym minutesExercising utilisation';
    const data = await query<{ total: unknown[]; day: unknown[]; week: unknown[] }>(`{
      total: gymUtilisation { ${fields} }
      day: gymUtilisation(groupBy: [GYM], period: DAY) { ${fields} }
      week: gymUtilisation(period: WEEK) { ${fields} }
    }`);
    assert.deepEqual(data.total, expected(() => null));
    assert.deepEqual(data.day, expected((d) => d));
    // Saturday 2023-03-11 belongs to the week of Sunday 2023-03-05; Sunday 2023-03-12 starts a new one.
    assert.deepEqual(data.week, expected((d) => (d === '2023-03-11' ? '2023-03-05' : '2023-03-12')));
    const gym5 = (data.total as { gym: string; visits: number; minutesInGym: number }[]).find((r) => r.gym === '5')!;
    assert.equal(gym5.visits, 6);
    assert.equal(gym5.minutesInGym, 397);
  });

  live('a user token sees its own workout, view and gym visits; me is for user tokens only', async () => {
    const own = await userToken(12474);
    const data = await query<{ me: Record<string, unknown>; workoutBpmSummaries: Connection<{ userId: string }> }>(
      `{ me { userId deviceId macAddress registeredAt workouts { totalCount edges { node { userId avgBpm } } } gymVisits { totalCount edges { node { ${GYM_FIELDS} } } } }
         workoutBpmSummaries { totalCount edges { node { userId user { userId } } } } }`,
      undefined,
      own,
    );
    const me = data.me as typeof USER_12474 & { workouts: Connection<{ userId: string }>; gymVisits: Connection<GymRow> };
    assert.deepEqual({ userId: me.userId, deviceId: me.deviceId, macAddress: me.macAddress, registeredAt: me.registeredAt }, USER_12474);
    assert.equal(me.workouts.totalCount, 1);
    assert.equal(me.workouts.edges[0]!.node.userId, '12474');
    assert.deepEqual(me.gymVisits.edges.map((e) => e.node), GYM_ROWS.filter((r) => r.macAddress === USER_12474.macAddress));
    assert.equal(data.workoutBpmSummaries.totalCount, 1);
    assert.deepEqual(data.workoutBpmSummaries.edges[0]!.node, { userId: '12474', user: { userId: '12474' } });
    // An analyst has no own view, but user(id) gives the same one.
    assert.deepEqual(await errorCodes(`{ me { userId } }`), ['FORBIDDEN']);
    const viaUser = await query<{ user: Record<string, unknown> }>(`{ user(id: "12474") { userId deviceId macAddress registeredAt workouts { totalCount } gymVisits { totalCount } } }`);
    assert.deepEqual(viaUser.user, { ...USER_12474, workouts: { totalCount: 1 }, gymVisits: { totalCount: 1 } });
  });

  live("a user token asking for another user's rows gets empty results, never an error", async () => {
    const other = await userToken(12474);
    const data = await query<Record<string, unknown>>(
      `{
        w: workoutBpmSummaries(filter: { userId: 11745 }) { totalCount edges { node { userId } } pageInfo { hasNextPage endCursor } }
        g: gymSummaries(filter: { userId: "11745" }) { totalCount edges { node { macAddress } } }
        m: gymSummaries(filter: { macAddress: "${MAC_11745}" }) { totalCount }
        u: user(id: 11745) { userId workouts { totalCount } }
        s: workoutStats(filter: { userId: 11745 }) { workouts }
        gu: gymUtilisation(filter: { userId: 11745 }) { visits }
      }`,
      undefined,
      other,
    );
    assert.deepEqual(data, {
      w: { totalCount: 0, edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      g: { totalCount: 0, edges: [] },
      m: { totalCount: 0 },
      u: null,
      s: [],
      gu: [],
    });
    // User 11745's own token sees its two gym rows and no workout summary (it has none).
    const own = await userToken(11745);
    assert.equal(await gymCount({}, own), 2);
    assert.equal(await workoutCount({}, own), 0);
  });

  live("aggregates for a user count only the user's own rows", async () => {
    const fields = 'gym periodStart visits workouts minutesInGym minutesExercising utilisation';
    const mine = await query<{ gymUtilisation: unknown[]; workoutStats: unknown[] }>(`{ gymUtilisation(period: DAY) { ${fields} } workoutStats { workouts recordings } }`, undefined, await userToken(11745));
    // Only 11745's two visits (70 and 55 minutes) at gym 5 on 2023-03-11; the analyst sees 4 visits there.
    assert.deepEqual(mine.gymUtilisation, [{ gym: '5', periodStart: '2023-03-11', visits: 2, workouts: 2, minutesInGym: 125, minutesExercising: 105, utilisation: 105 / 125 }]);
    assert.deepEqual(mine.workoutStats, []);
    const other = await query<{ workoutStats: unknown[]; gymUtilisation: { visits: number }[] }>(`{ workoutStats { workouts recordings } gymUtilisation { visits } }`, undefined, await userToken(12474));
    assert.deepEqual(other.workoutStats, [{ workouts: 1, recordings: '3900' }]);
    assert.deepEqual(other.gymUtilisation, [{ visits: 1 }]);
  });

  live('pipelineStatus lists every table with version, rows and freshness; row counts only for analysts', async () => {
    const data = await query<{ pipelineStatus: { layer: string; name: string; path: string; exists: boolean; version: number; rowCount: string | null; lastCommitAt: string; freshnessSeconds: number }[] }>(
      `{ pipelineStatus { layer name path exists version rowCount lastCommitAt freshnessSeconds } }`,
    );
    const statuses = data.pipelineStatus;
    assert.deepEqual(statuses.map((s) => s.path), allTables.map((d) => tablePath(d)));
    const byPath = new Map(statuses.map((s) => [s.path, s]));
    assert.equal(byPath.get('gold/gym_summary')!.rowCount, '16');
    assert.equal(byPath.get('gold/workout_bpm_summary')!.rowCount, '1');
    assert.equal(byPath.get('silver/heart_rate')!.rowCount, '253801');
    for (const s of statuses) {
      assert.equal(s.exists, true, s.path);
      assert.ok(s.version >= 0);
      assert.ok(s.freshnessSeconds >= 0 && s.freshnessSeconds < 3600, `${s.path} freshness ${s.freshnessSeconds}`);
      assert.ok(Math.abs(Date.parse(s.lastCommitAt) - Date.now()) < 3_600_000, s.lastCommitAt);
    }
    // A user sees how fresh the tables of its own views are, nothing of the others, and no versions,
    // commit times or row counts.
    const asUser = await query<{ pipelineStatus: { path: string; version: number | null; rowCount: string | null; lastCommitAt: string | null; freshnessSeconds: number }[] }>(
      `{ pipelineStatus { path version rowCount lastCommitAt freshnessSeconds } }`,
      undefined,
      await userToken(12474),
    );
    assert.deepEqual(asUser.pipelineStatus.map((s) => s.path), ['silver/users', 'silver/completed_workouts', 'silver/workout_bpm', 'gold/workout_bpm_summary', 'gold/gym_summary'].filter((p) => byPath.has(p)).sort((a, b) => statuses.findIndex((s) => s.path === a) - statuses.findIndex((s) => s.path === b)));
    for (const s of asUser.pipelineStatus) {
      assert.deepEqual([s.version, s.rowCount, s.lastCommitAt], [null, null, null], s.path);
      assert.ok(Math.abs(s.freshnessSeconds - byPath.get(s.path)!.freshnessSeconds) < 60, s.path);
    }
  });

  // Last: it changes the shared lake.
  live('a row appended to gym_summary through DeltaTable is visible without a restart within about 2 s', async () => {
    assert.equal(await gymCount({}), 16);
    const started = Date.now();
    await appendRows(lakeDir, gymSummary, [
      { date: parseDate('2023-03-13'), gym: 7, mac_address: MAC_11745, workout_id: 9, session_id: 1, minutes_in_gym: 30, minutes_exercising: 20 },
    ]);
    const seen = await eventually(async () => (await gymCount({})) === 17, { timeoutMs: 2500, everyMs: 100 });
    assert.ok(seen, 'the new row did not show within 2.5 s');
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 2500, `took ${elapsed} ms`);
    const row = await query<{ gymSummaries: Connection<GymRow> }>(`{ gymSummaries(filter: { gym: 7 }) { edges { node { ${GYM_FIELDS} } } } }`);
    assert.deepEqual(row.gymSummaries.edges.map((e) => e.node), [{ date: formatDate(parseDate('2023-03-13')), gym: '7', macAddress: MAC_11745, workoutId: '9', sessionId: '1', minutesInGym: 30, minutesExercising: 20 }]);
    // The user of that device sees it too (scoping follows the new version).
    assert.equal(await gymCount({}, await userToken(11745)), 3);
  });
});
