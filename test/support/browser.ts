/**
 * Headless Chromium driven by playwright-core, for the browser tests: launched from the path npm test
 * hands over (FITLAKE_TEST_CHROMIUM, see stack.ts), with a context that lets only loopback requests
 * through. Anything else the page tries is refused and recorded, so a test can assert that nothing on
 * the page reached beyond this machine (a CDN, fonts, telemetry). Console errors (a CSP violation among
 * them) are recorded too. Screenshots go to test-output/ for a person to look at.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { chromium as playwrightChromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { projectRoot } from '../../devstack/paths.ts';
import { chromium } from './stack.ts';

export const SCREENSHOT_DIR = path.join(projectRoot, 'test-output');

export interface GuardedBrowser {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Requests refused because their host is not loopback. */
  readonly outside: string[];
  /** Console errors and uncaught page errors. */
  readonly pageErrors: string[];
  /** A PNG of the page (or of one element) in test-output/. */
  screenshot(name: string, selector?: string): Promise<string>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The browser, or undefined with the test skipped (and why) where Chromium is not available. */
export async function guardedBrowser(t: TestContext): Promise<GuardedBrowser | undefined> {
  const executablePath = chromium(t);
  if (!executablePath) return undefined;
  const browser = await playwrightChromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const outside: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    if ((url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'ws:' || url.protocol === 'wss:') && !LOOPBACK.has(url.hostname)) {
      outside.push(url.href);
      return route.abort('blockedbyclient');
    }
    return route.continue();
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    context,
    page,
    outside,
    pageErrors,
    async screenshot(name, selector) {
      const file = path.join(SCREENSHOT_DIR, name);
      if (selector) await page.locator(selector).screenshot({ path: file });
      else await page.screenshot({ path: file, fullPage: true });
      return file;
    },
  };
}
