/**
 * GraphiQL in a real browser (headless Chromium) from a development `fitlake` API, with nothing on the
 * page allowed to come from elsewhere (its Content-Security-Policy): the page must draw itself, editors
 * and all, from what this server sends, and run a query with the token typed into its headers pane.
 * Screenshots go to test-output/ for a person to look at.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { projectRoot } from '../../devstack/paths.ts';
import { analystToken, startTestApi, writeSmallLake } from '../support/api-helpers.ts';
import { guardedBrowser } from '../support/browser.ts';
import { chromium } from '../support/stack.ts';

const exec = promisify(execFile);

/** Chromium headless on `url`: its DOM after the page's scripts ran (virtual time), or a screenshot. */
async function browse(browser: string, profile: string, url: string, output: ['--dump-dom'] | [`--screenshot=${string}`]): Promise<string> {
  const { stdout } = await exec(browser, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--virtual-time-budget=10000', '--window-size=1280,900', ...output, url], {
    timeout: 90_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

test('GraphiQL draws itself in Chromium from the API alone: editors, the run button, the headers pane', async (t) => {
  const browser = chromium(t);
  if (!browser) return;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-browser-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(path.join(dir, 'lake'));
  const api = await startTestApi(path.join(dir, 'lake'), { mode: 'development' });
  t.after(() => api.close());
  const dom = await browse(browser, path.join(dir, 'profile'), api.url, ['--dump-dom']);
  // These exist only once GraphiQL's own code has run in the page (the HTML sent holds an empty root).
  for (const part of ['graphiql-container', 'graphiql-editors', 'graphiql-execute-button']) assert.match(dom, new RegExp(`class="[^"]*${part}`), part);
  assert.match(dom, /pipelineStatus/, 'the default query is in the editor');
  const out = path.join(projectRoot, 'test-output');
  await mkdir(out, { recursive: true });
  const shot = path.join(out, 'graphiql.png');
  await browse(browser, path.join(dir, 'profile'), api.url, [`--screenshot=${shot}`]);
  assert.ok((await stat(shot)).size > 10_000, 'a screenshot with something drawn in it');
});

test('GraphiQL runs a query with an Authorization header typed into its headers pane, and shows the data', async (t) => {
  const guarded = await guardedBrowser(t);
  if (!guarded) return;
  const { page, outside, pageErrors, screenshot } = guarded;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-browser-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeSmallLake(path.join(dir, 'lake'));
  const api = await startTestApi(path.join(dir, 'lake'), { mode: 'development' });
  t.after(() => api.close());
  await page.goto(api.url);
  await page.locator('.graphiql-execute-button').waitFor();
  // The headers pane is open with the placeholder header: replace it with a real token, as a person would.
  const headers = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
  await headers.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // insertText: typed key by key, the editor would close every brace and quote a second time.
  await page.keyboard.insertText(JSON.stringify({ Authorization: `Bearer ${await analystToken()}` }));
  // A query of our own: the default one's first field (pipelineStatus, 14 tables) would push the
  // summaries below what the result editor draws.
  await page.locator('.graphiql-query-editor .monaco-editor').click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('{ workoutBpmSummaries(first: 10) { totalCount edges { node { userId workoutId avgBpm } } } }');
  const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/graphql' && r.request().method() === 'POST' && (r.request().postData() ?? '').includes('workoutBpmSummaries'));
  await page.locator('.graphiql-execute-button').click();
  const response = await answered;
  assert.equal(response.status(), 200);
  const result = page.locator('.graphiql-response');
  await result.getByText('"totalCount"').waitFor();
  // The editor draws its spaces as no-break spaces: compare with plain ones.
  const text = (await result.innerText()).replace(/\s+/g, ' ');
  assert.match(text, /"totalCount": 3/);
  assert.match(text, /"userId": "1002"/);
  assert.doesNotMatch(text, /"errors"/);
  assert.ok((await stat(await screenshot('graphiql-result.png'))).size > 10_000);
  assert.deepEqual(outside, [], 'nothing beyond loopback');
  // Before the token is typed, GraphiQL's schema fetch with the placeholder header is refused (401).
  assert.deepEqual(pageErrors.filter((e) => !/status of 401/.test(e)), []);
});
