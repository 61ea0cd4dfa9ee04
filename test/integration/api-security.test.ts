/**
 * The API's guards over real HTTP, on a small lake written here (no SBIT needed): 401 for missing, bad,
 * expired, foreign tokens; depth, cost and page-size limits; malformed queries and bad arguments;
 * production mode without introspection, suggestions or GraphiQL; masked internal errors; health and
 * readiness without a token.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { analystToken, startTestApi, TEST_JWT, testToken, userToken, writeSmallLake, type TestApi } from '../support/api-helpers.ts';

/** A token signed with the test secret but with chosen claims and header, via jose directly. */
async function craftedToken(claims: Record<string, unknown>, { secret = TEST_JWT.secret, issuer = TEST_JWT.issuer, audience = TEST_JWT.audience, exp = Math.floor(Date.now() / 1000) + 600 } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
}

const DEEP = `{ workoutBpmSummaries { edges { node { user { workouts { edges { node { user { userId } } } } } } } } }`;
const COSTLY = `{ workoutBpmSummaries(first: 500) { edges { node { user { workouts(first: 500) { edges { node { avgBpm } } } } } } } }`;

describe('API security and limits', { concurrency: false }, () => {
  let dir: string;
  let api: TestApi;
  let prod: TestApi;
  let analyst: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-security-'));
    await writeSmallLake(dir);
    api = await startTestApi(dir, { mode: 'development' });
    prod = await startTestApi(dir, { mode: 'production' });
    analyst = await analystToken();
  });
  after(async () => {
    await api?.close();
    await prod?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 401 with one JSON GraphQL error, no details, without a valid token', async () => {
    const query = '{ workoutBpmSummaries { totalCount } }';
    const wrongSecret = { ...TEST_JWT, secret: 'another-secret-of-sufficient-length-0123456789' };
    const tokens: [string, string | undefined][] = [
      ['no token', undefined],
      ['not a JWT', 'garbage'],
      ['wrong secret', await testToken({ role: 'analyst' }, wrongSecret)],
      ['expired', await testToken({ role: 'analyst', now: Date.now() - 7_200_000, ttlSeconds: 3600 })],
      ['wrong issuer', await testToken({ role: 'analyst', issuer: 'someone-else' })],
      ['wrong audience', await testToken({ role: 'analyst', audience: 'another-api' })],
      ['unknown role', await craftedToken({ role: 'admin', sub: 'x' })],
      ['user without a numeric sub', await craftedToken({ role: 'user', sub: 'bob' })],
      ['no expiry', await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(TEST_JWT.issuer).setAudience(TEST_JWT.audience).sign(new TextEncoder().encode(TEST_JWT.secret))],
    ];
    const bodies = new Set<string>();
    for (const [what, token] of tokens) {
      const response = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
        body: JSON.stringify({ query }),
      });
      assert.equal(response.status, 401, what);
      assert.match(response.headers.get('content-type') ?? '', /application\/json/, what);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[]; data?: unknown };
      assert.equal(body.errors.length, 1, what);
      assert.equal(body.errors[0]!.extensions.code, 'UNAUTHENTICATED', what);
      assert.equal(body.data, undefined, what);
      bodies.add(JSON.stringify(body));
    }
    assert.equal(bodies.size, 1, 'every refusal must look the same');
    // Another scheme is no bearer token either.
    const basic = await fetch(api.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic dXNlcjpwYXNz' }, body: JSON.stringify({ query }) });
    assert.equal(basic.status, 401);
    // The same request with a valid token works.
    assert.deepEqual((await api.gql(query, undefined, analyst)).body, { data: { workoutBpmSummaries: { totalCount: 3 } } });
  });

  it('serves /healthz and /readyz without a token; ready only when the gold tables exist', async () => {
    const health = await fetch(`${api.origin}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${api.origin}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready' });
    const emptyDir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-empty-'));
    const empty = await startTestApi(emptyDir);
    try {
      assert.equal((await fetch(`${empty.origin}/healthz`)).status, 200);
      const notReady = await fetch(`${empty.origin}/readyz`);
      assert.equal(notReady.status, 503);
      assert.deepEqual(await notReady.json(), { status: 'not ready' });
      // Queries on a lake without tables answer empty, not with an error.
      assert.deepEqual((await empty.gql('{ workoutBpmSummaries { totalCount } gymSummaries { totalCount } }', undefined, analyst)).body, {
        data: { workoutBpmSummaries: { totalCount: 0 }, gymSummaries: { totalCount: 0 } },
      });
    } finally {
      await empty.close();
      await rm(emptyDir, { recursive: true, force: true });
    }
    assert.equal((await fetch(`${api.origin}/nothing-here`)).status, 404);
  });

  it('bounds the page size: first ≤ 500, a larger page is a clear BAD_USER_INPUT', async () => {
    const ok = await api.gql('{ gymSummaries(first: 500) { totalCount } }', undefined, analyst);
    assert.equal(ok.body.errors, undefined);
    for (const [query, variables] of [
      ['{ workoutBpmSummaries(first: 501) { totalCount } }', undefined],
      ['query($n: Int) { gymSummaries(first: $n) { totalCount } }', { n: 100_000 }],
      ['{ gymSummaries(first: -1) { totalCount } }', undefined],
      ['{ me { workouts(first: 501) { totalCount } } }', undefined],
    ] as const) {
      const token = query.includes('me') ? await userToken(1001) : analyst;
      const response = await api.gql(query, variables, token);
      assert.equal(response.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT', query);
      assert.match(response.body.errors![0]!.message, /first/);
    }
  });

  it('refuses a query deeper than 8 levels and one whose estimated cost is over the limit', async () => {
    const deep = await api.gql(DEEP, undefined, analyst);
    assert.equal(deep.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_DEEP');
    assert.match(deep.body.errors![0]!.message, /9 levels deep; the limit is 8/);
    assert.equal(deep.body.data, undefined);
    const costly = await api.gql(COSTLY, undefined, analyst);
    assert.equal(costly.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
    assert.match(costly.body.errors![0]!.message, /estimated cost is \d+; the limit is 25000/);
    // Page sizes from variables count too.
    const viaVariables = await api.gql(
      `query($n: Int) { a: workoutBpmSummaries(first: $n) { edges { node { user { workouts(first: $n) { edges { node { avgBpm } } } } } } } }`,
      { n: 200 },
      analyst,
    );
    assert.equal(viaVariables.body.errors?.[0]?.extensions?.code, 'QUERY_TOO_COSTLY');
    // A reasonable nested query is fine (depth 8).
    const fine = await api.gql(`{ workoutBpmSummaries(first: 5) { edges { node { user { workouts(first: 5) { edges { node { avgBpm } } } } } } } }`, undefined, analyst);
    assert.equal(fine.body.errors, undefined);
  });

  it('gives clear GraphQL errors for malformed queries and bad arguments', async () => {
    const syntax = await api.gql('{ workoutBpmSummaries { totalCount ', undefined, analyst);
    assert.equal(syntax.status, 400);
    assert.match(syntax.body.errors![0]!.message, /Syntax Error/);
    const unknown = await api.gql('{ workoutBpmSummaries { total } }', undefined, analyst);
    assert.match(unknown.body.errors![0]!.message, /Cannot query field "total" on type "WorkoutBpmSummaryConnection"/);
    const badLong = await api.gql('{ user(id: "12ab") { userId } }', undefined, analyst);
    assert.match(badLong.body.errors![0]!.message, /Long must be an integer/);
    const huge = await api.gql('query($id: Long!) { user(id: $id) { userId } }', { id: '123456789012345678901' }, analyst);
    assert.match(huge.body.errors![0]!.message, /Variable "\$id" got invalid value "123456789012345678901"|Long must be an integer/);
    const badEnum = await api.gql('{ workoutStats(groupBy: [SHOE_SIZE]) { workouts } }', undefined, analyst);
    assert.match(badEnum.body.errors![0]!.message, /SHOE_SIZE/);
    const badDate = await api.gql('{ gymSummaries(filter: { dateTo: "2024-02-30" }) { totalCount } }', undefined, analyst);
    assert.match(badDate.body.errors![0]!.message, /Date must be an ISO-8601 calendar date/);
    // Ids go out as strings and come in as strings or integers.
    const ids = await api.gql('{ a: user(id: 1001) { userId deviceId } b: user(id: "1002") { userId } }', undefined, analyst);
    assert.deepEqual(ids.body.data, { a: { userId: '1001', deviceId: '501' }, b: { userId: '1002' } });
  });

  it('in production refuses introspection, hides field suggestions and does not serve GraphiQL', async () => {
    const introspection = await prod.gql('{ __schema { queryType { name } } }', undefined, analyst);
    assert.ok(introspection.body.errors?.some((e) => /introspection/i.test(e.message)), JSON.stringify(introspection.body));
    const typeQuery = await prod.gql('{ __type(name: "Query") { name } }', undefined, analyst);
    assert.ok(typeQuery.body.errors?.length);
    assert.deepEqual((await prod.gql('{ __typename }', undefined, analyst)).body, { data: { __typename: 'Query' } });
    const typo = await prod.gql('{ workoutBpmSummary { totalCount } }', undefined, analyst);
    assert.match(typo.body.errors![0]!.message, /Cannot query field "workoutBpmSummary"/);
    assert.doesNotMatch(JSON.stringify(typo.body), /Did you mean/);
    for (const token of [undefined, analyst]) {
      const page = await fetch(prod.url, { headers: { accept: 'text/html', ...(token ? { authorization: `Bearer ${token}` } : {}) } });
      assert.doesNotMatch(page.headers.get('content-type') ?? '', /text\/html/);
      assert.doesNotMatch(await page.text(), /graphiql|<html/i);
    }
    // Development serves GraphiQL (the page only; its queries need a token) and allows introspection.
    const graphiql = await fetch(api.url, { headers: { accept: 'text/html' } });
    assert.equal(graphiql.status, 200);
    assert.match(graphiql.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await graphiql.text(), /graphiql/i);
    const devIntrospection = await api.gql('{ __schema { queryType { name } } }', undefined, analyst);
    assert.deepEqual(devIntrospection.body.data, { __schema: { queryType: { name: 'Query' } } });
    assert.equal((await api.gql('{ __schema { queryType { name } } }')).status, 401);
  });

  it('serves GraphiQL from this machine: the page names no other host, and its policy allows only itself and this server', async () => {
    const page = await fetch(api.url, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    const html = await page.text();
    // Every script, style sheet, icon and request of the page: none may leave the machine.
    const references = [...html.matchAll(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!);
    assert.deepEqual(references.filter((ref) => /^(https?:)?\/\//i.test(ref)), [], 'external references');
    assert.doesNotMatch(html, /unpkg\.com|jsdelivr|cdnjs/i);
    assert.match(html, /GraphiQL|graphiql/);
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, /default-src 'self'/);
    assert.match(policy, /connect-src 'self'/);
    // No source of the policy names a host or a scheme other than the page's own blobs and data.
    for (const directive of policy.split(';')) {
      for (const source of directive.trim().split(/\s+/).slice(1)) assert.match(source, /^('self'|'none'|'unsafe-inline'|blob:|data:)$/, directive);
    }
  });

  it('masks internal failures: no message, path or stack reaches the client', async () => {
    // Break the gold gym_summary table under a fresh server: its data file disappears.
    const brokenDir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-api-broken-'));
    try {
      await writeSmallLake(brokenDir);
      const tableDir = path.join(brokenDir, 'gold', 'gym_summary');
      for (const file of await readdir(tableDir)) if (file.endsWith('.parquet')) await rm(path.join(tableDir, file));
      for (const mode of ['development', 'production'] as const) {
        const broken = await startTestApi(brokenDir, { mode });
        try {
          const response = await broken.gql('{ gymSummaries { totalCount } }', undefined, analyst);
          const text = JSON.stringify(response.body);
          assert.equal(response.body.errors?.length, 1, text);
          assert.equal(response.body.errors![0]!.message, 'Unexpected error.');
          assert.equal(response.body.errors![0]!.extensions?.code, 'INTERNAL_SERVER_ERROR');
          assert.doesNotMatch(text, /parquet|gym_summary|\/tmp|fitlake-api|missing|TableFormatError|at .*\.ts|stack/i);
          // The other tables still answer.
          assert.deepEqual((await broken.gql('{ workoutBpmSummaries { totalCount } }', undefined, analyst)).body, { data: { workoutBpmSummaries: { totalCount: 3 } } });
        } finally {
          await broken.close();
        }
      }
    } finally {
      await rm(brokenDir, { recursive: true, force: true });
    }
  });
});
