/**
 * Serves the dashboard at /dashboard (its page) and /dashboard/app.js, /dashboard/app.css, without a
 * token (the page holds no data: everything it shows it asks /graphql for, with the token a person
 * signs in with). A strict Content-Security-Policy: the page's script and styles come from this server
 * only, no inline script, requests go to this origin only, nothing may frame it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildDashboard, type DashboardAsset, type DashboardAssets } from './build-dashboard.ts';

export const DASHBOARD_PATH = '/dashboard';

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const SECURITY_HEADERS: [string, string][] = [
  ['content-security-policy', DASHBOARD_CSP],
  ['x-content-type-options', 'nosniff'],
  ['referrer-policy', 'no-referrer'],
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  // Revalidated each time (a 304 is cheap): a server restarted on new sources serves the new page.
  ['cache-control', 'no-cache'],
];

/** Whether a path is the dashboard's (the HTTP layer routes it here). */
export const isDashboardPath = (pathname: string) => pathname === DASHBOARD_PATH || pathname.startsWith(`${DASHBOARD_PATH}/`);

export type DashboardHandler = (req: IncomingMessage, res: ServerResponse, pathname: string) => void;

export interface DashboardOptions {
  /** Told why the bundle could not be built (the client gets a plain 500). */
  onBuildError?: (error: unknown) => void;
  /** @default buildDashboard */
  build?: () => Promise<DashboardAssets>;
}

function send(res: ServerResponse, status: number, headers: [string, string][], body?: Buffer | string): void {
  res.writeHead(status, [...SECURITY_HEADERS, ...headers].flat());
  res.end(body);
}

export function createDashboardHandler({ onBuildError, build = buildDashboard }: DashboardOptions = {}): DashboardHandler {
  let assets: Promise<DashboardAssets> | undefined;
  const built = () => {
    // Built once; a failed build is tried again on the next request (the sources may have been fixed).
    assets ??= build().catch((e: unknown) => {
      assets = undefined;
      throw e;
    });
    return assets;
  };
  const pick = (a: DashboardAssets, pathname: string): DashboardAsset | undefined =>
    pathname === DASHBOARD_PATH || pathname === `${DASHBOARD_PATH}/` ? a.html : pathname === `${DASHBOARD_PATH}/app.js` ? a.js : pathname === `${DASHBOARD_PATH}/app.css` ? a.css : undefined;

  return (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, [['allow', 'GET, HEAD'], ['content-type', 'text/plain; charset=utf-8']], 'The dashboard is read with GET.\n');
    built().then(
      (a) => {
        const file = pick(a, pathname);
        if (!file) return send(res, 404, [['content-type', 'text/plain; charset=utf-8']], 'Not found: the dashboard is at /dashboard\n');
        if (req.headers['if-none-match'] === file.etag) return send(res, 304, [['etag', file.etag]]);
        send(res, 200, [['content-type', file.contentType], ['etag', file.etag], ['content-length', String(file.body.length)]], req.method === 'HEAD' ? undefined : file.body);
      },
      (e: unknown) => {
        onBuildError?.(e);
        if (!res.headersSent) send(res, 500, [['content-type', 'text/plain; charset=utf-8']], 'The dashboard could not be built on this server; its log says why.\n');
      },
    );
  };
}
