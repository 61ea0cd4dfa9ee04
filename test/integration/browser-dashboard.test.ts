/**
 * The dashboard in a real browser (headless Chromium through playwright-core) against a running API on
 * a small lake with two users' workouts and readings: what each role is shown, drawn from the same
 * GraphQL API and checked against it and against the lake. Every request beyond loopback is refused and
 * recorded (there must be none), and any console error (a CSP violation among them) fails the test.
 * Screenshots go to test-output/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { Page, Response } from 'playwright-core';
import { allTables } from '../../schema/tables.ts';
import { analystToken, startTestApi, TEST_JWT, testToken, userToken, writeSmallLake, writeSmallReadings, type TestApi } from '../support/api-helpers.ts';
import { guardedBrowser } from '../support/browser.ts';
import { startServe } from '../support/cli.ts';

const USER_A = 1001;
const USER_B = 1002;

async function signIn(page: Page, origin: string, token: string): Promise<void> {
  await page.goto(`${origin}/dashboard`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in-button').click();
}

/** The (user, workout, session) of every workout row drawn. */
const drawnRows = (page: Page) =>
  page.getByTestId('workout-row').evaluateAll((rows) => rows.map((r) => `${(r as HTMLElement).dataset.userId}/${(r as HTMLElement).dataset.workoutId}/${(r as HTMLElement).dataset.sessionId}`));

/** Wait a while for `count` rows; the caller's assertion on the rows then says what was drawn instead. */
async function waitForRows(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="workout-row"]').length === n, count, { timeout: 5000 }).catch(() => {});
}

async function apiTotal(api: TestApi, token: string): Promise<number> {
  const { body } = await api.gql<{ workoutBpmSummaries: { totalCount: number } }>('{ workoutBpmSummaries { totalCount } }', {}, token);
  return body.data!.workoutBpmSummaries.totalCount;
}

test('the dashboard: analysts see every table and workout, users only their own, curves have every reading', async (t) => {
  const guarded = await guardedBrowser(t);
  if (!guarded) return;
  const { page, outside, pageErrors, screenshot } = guarded;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-dashboard-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(dir);
  const readings = await writeSmallReadings(dir);
  // Production mode: the dashboard is for the deployed API, not only for development.
  const api = await startTestApi(dir, { mode: 'production' });
  t.after(() => api.close());
  const analyst = await analystToken();
  const graphqlBodies: string[] = [];
  const keepBody = async (response: Response) => {
    if (new URL(response.url()).pathname === '/graphql') graphqlBodies.push(await response.text().catch(() => ''));
  };
  page.on('response', (r) => void keepBody(r));

  await t.test('analyst: the health table shows every table of the lake, and the quarantine by reason', async () => {
    await signIn(page, api.origin, analyst);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="health-row"]').length === n, allTables.length);
    const shown = await page.getByTestId('health-row').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.table));
    assert.deepEqual(shown, allTables.map((d) => `${d.layer}/${d.name}`));
    const gold = page.locator('[data-testid="health-row"][data-table="gold/workout_bpm_summary"] td');
    assert.equal(await gold.nth(3).textContent(), '3', 'rows of workout_bpm_summary');
    await page.getByTestId('quarantine-reason').first().waitFor();
    assert.deepEqual(await page.getByTestId('quarantine-reason').evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.count)), ['3', '2']);
    for (const summary of await page.locator('[data-testid="quarantine-reason"] summary').all()) await summary.click();
    assert.equal(await page.getByTestId('quarantine-example').count(), 5);
    assert.ok((await stat(await screenshot('dashboard-health.png', '[data-testid="health"]'))).size > 10_000);
  });

  await t.test("analyst: the workouts table shows every user's workouts, as many as the API counts", async () => {
    const total = await apiTotal(api, analyst);
    await waitForRows(page, total);
    assert.deepEqual((await drawnRows(page)).sort(), [`${USER_A}/1/1`, `${USER_A}/2/1`, `${USER_B}/1/1`]);
    assert.match((await page.getByTestId('workout-count').textContent())!, /^3 workouts$/);
    // Sorting by average heart rate, highest first (the first click on a measure sorts descending).
    await page.getByTestId('sort-AVG_BPM').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="workout-row"]')?.getAttribute('data-user-id') === '1002');
    assert.deepEqual(await drawnRows(page), [`${USER_B}/1/1`, `${USER_A}/1/1`, `${USER_A}/2/1`]);
    // A user filter, then a start-day range.
    await page.getByTestId('filter-user').fill(String(USER_B));
    await page.getByTestId('filter-apply').click();
    await waitForRows(page, 1);
    assert.deepEqual(await drawnRows(page), [`${USER_B}/1/1`]);
    await page.getByTestId('filter-clear').click();
    await page.getByTestId('filter-from').fill('2024-05-05');
    await page.getByTestId('filter-apply').click();
    await waitForRows(page, 1);
    assert.deepEqual(await drawnRows(page), [`${USER_A}/2/1`]);
    await page.getByTestId('filter-clear').click();
    await waitForRows(page, total);
    assert.ok((await stat(await screenshot('dashboard-workouts.png'))).size > 10_000);
  });

  await t.test("analyst: a workout's curve has as many points as the workout has readings in the lake", async () => {
    await page.locator(`[data-testid="workout-row"][data-user-id="${USER_A}"][data-workout-id="1"]`).click();
    const chart = page.locator('[data-testid="curve"]');
    await chart.locator('canvas').first().waitFor();
    assert.equal(Number(await chart.getAttribute('data-points')), readings.get(`${USER_A}/1`));
    assert.equal(readings.get(`${USER_A}/1`), 3600);
    assert.equal(await page.getByTestId('summary-points').textContent(), '3,600 of 3,600 readings');
    assert.equal(await page.getByTestId('summary-bpm').textContent(), '100.0 / 120.0 / 150.0 bpm');
    assert.equal(await page.getByTestId('summary-duration').textContent(), '60 min');
    assert.ok((await stat(await screenshot('dashboard-curve.png', '[data-testid="curve-view"]'))).size > 10_000);
    // Another workout: another count, the previous chart gone.
    await page.locator(`[data-testid="workout-row"][data-user-id="${USER_A}"][data-workout-id="2"]`).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="curve"]')?.getAttribute('data-points') === String(n), readings.get(`${USER_A}/2`));
    assert.equal(await page.locator('[data-testid="curve"] canvas').count(), 1);
  });

  await t.test('sign out forgets the token: the sign-in form again, nothing in storage or the URL', async () => {
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0);
    assert.doesNotMatch(page.url(), /eyJ/);
  });

  await t.test("user A: only A's workouts, and B's nowhere, even asked for by id", async () => {
    graphqlBodies.length = 0;
    await signIn(page, api.origin, await userToken(USER_A));
    await waitForRows(page, 2);
    assert.deepEqual((await drawnRows(page)).sort(), [`${USER_A}/1/1`, `${USER_A}/2/1`]);
    assert.equal(await page.getByTestId('filter-user').count(), 0, 'no user filter for a user token');
    assert.equal(await page.getByTestId('quarantine').count(), 0, 'no quarantine for a user token');
    assert.match((await page.getByTestId('who').textContent())!, /User 1001/);
    // B's workout by its key, as a link would carry it: not found, nothing drawn.
    await page.evaluate((key) => (location.hash = `workout=${key}`), `${USER_B}-1-1`);
    await page.getByTestId('curve-not-found').waitFor();
    assert.equal(await page.locator('[data-testid="curve"]').count(), 0);
    // A's own workout still opens, with all its readings.
    await page.locator(`[data-testid="workout-row"][data-workout-id="2"]`).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="curve"]')?.getAttribute('data-points') === String(n), readings.get(`${USER_A}/2`));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="health-row"]').length > 0);
    assert.ok((await stat(await screenshot('dashboard-user.png'))).size > 10_000);
    const text = await page.locator('body').innerText();
    assert.doesNotMatch(text, new RegExp(`\\b${USER_B}\\b`), "B's id is nowhere on A's page");
    assert.ok(graphqlBodies.length >= 3, `${graphqlBodies.length} answers seen`);
    for (const body of graphqlBodies) assert.doesNotMatch(body, new RegExp(`"${USER_B}"`), "no answer to A's page holds B's id");
    await page.getByTestId('sign-out').click();
  });

  await t.test('a garbage, a foreign and an expired token each get a message saying what is wrong', async () => {
    await signIn(page, api.origin, 'garbage');
    assert.match((await page.getByTestId('sign-in-error').textContent())!, /not a fitlake token/);
    const foreign = await testToken({ role: 'analyst' }, { ...TEST_JWT, secret: 'another-secret-of-sufficient-length-0123456789' });
    await signIn(page, api.origin, foreign);
    await page.getByTestId('sign-in-error').filter({ hasText: 'refused this token' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused token is not kept');
    const expired = await testToken({ role: 'analyst', now: Date.now() - 7_200_000, ttlSeconds: 3600 });
    await signIn(page, api.origin, expired);
    assert.match((await page.getByTestId('sign-in-error').textContent())!, /expired/);
  });

  await t.test('nothing beyond loopback was asked for, and the page raised no error (CSP included)', () => {
    assert.deepEqual(outside, []);
    // The foreign token's 401 is the one error the browser reports by itself.
    assert.deepEqual(pageErrors.filter((e) => !/status of 401/.test(e)), []);
  });
});

test('the dashboard is served with a strict policy in both modes, and nothing else under /dashboard', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-dashboard-http-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(dir);
  for (const mode of ['development', 'production'] as const) {
    const api = await startTestApi(dir, { mode });
    try {
      const page = await fetch(`${api.origin}/dashboard`);
      assert.equal(page.status, 200, mode);
      const html = await page.text();
      assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]|https?:\/\//, 'no inline script, no external address');
      const csp = page.headers.get('content-security-policy')!;
      for (const part of ["default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(part), part);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const js = await fetch(`${api.origin}/dashboard/app.js`);
      assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
      assert.doesNotMatch(await js.text(), /https:\/\/(?!github\.com\/leeoniya)/, 'the bundle names no address to load from');
      const css = await fetch(`${api.origin}/dashboard/app.css`);
      assert.match(await css.text(), /\.uplot/);
      assert.equal((await fetch(`${api.origin}/dashboard/app.js`, { headers: { 'if-none-match': js.headers.get('etag')! } })).status, 304);
      assert.equal((await fetch(`${api.origin}/dashboard/../package.json`)).status, 404);
      assert.equal((await fetch(`${api.origin}/dashboard/main.ts`)).status, 404);
      assert.equal((await fetch(`${api.origin}/dashboard`, { method: 'POST' })).status, 405);
    } finally {
      await api.close();
    }
  }
});

test('the dashboard from a running `fitlake serve` (the command, in production mode): a user signs in and sees only their workouts', async (t) => {
  const guarded = await guardedBrowser(t);
  if (!guarded) return;
  const { page, outside } = guarded;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-dashboard-serve-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(dir);
  const serve = await startServe(t, ['--lake', dir], { FITLAKE_JWT_SECRET: TEST_JWT.secret, FITLAKE_JWT_ISSUER: TEST_JWT.issuer, FITLAKE_API_MODE: 'production' });
  const origin = new URL(serve.url).origin;
  const token = await userToken(USER_A);
  const own = await fetch(serve.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: '{ me { workouts { totalCount } } }' }) });
  const count = ((await own.json()) as { data: { me: { workouts: { totalCount: number } } } }).data.me.workouts.totalCount;
  assert.ok(count > 0);
  await signIn(page, origin, token);
  await waitForRows(page, count);
  const rows = await drawnRows(page);
  assert.equal(rows.length, count, rows.join(', '));
  assert.ok(rows.every((r) => r.startsWith(`${USER_A}/`)), rows.join(', '));
  assert.deepEqual(outside, []);
});
