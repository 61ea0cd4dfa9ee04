/**
 * The dashboard's page, script and styles, bundled by esbuild from dashboard/ (browser TypeScript and
 * uPlot from node_modules) in memory, on first use: a server that nobody asks for the dashboard never
 * loads esbuild, and the page always matches the sources beside the server, from tsx and from dist/
 * alike (devstack/paths.ts finds the project root from either). Nothing is fetched from elsewhere.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectRoot } from '../../devstack/paths.ts';

/** The dashboard's browser sources. */
export const DASHBOARD_SOURCES = path.join(projectRoot, 'dashboard');

export interface DashboardAsset {
  readonly contentType: string;
  readonly body: Buffer;
  /** Strong validator of the body, for If-None-Match. */
  readonly etag: string;
}

export interface DashboardAssets {
  readonly html: DashboardAsset;
  readonly js: DashboardAsset;
  readonly css: DashboardAsset;
}

const asset = (contentType: string, body: Buffer): DashboardAsset => ({ contentType, body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });

export async function buildDashboard(): Promise<DashboardAssets> {
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: projectRoot,
    entryPoints: { app: path.join(DASHBOARD_SOURCES, 'main.ts') },
    tsconfig: path.join(DASHBOARD_SOURCES, 'tsconfig.json'),
    bundle: true,
    write: false,
    outdir: path.join(DASHBOARD_SOURCES, 'out'),
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const output = (ext: string) => {
    const file = result.outputFiles.find((f) => f.path.endsWith(`app.${ext}`));
    if (!file) throw new Error(`the dashboard bundle has no app.${ext}`);
    return Buffer.from(file.contents);
  };
  return {
    html: asset('text/html; charset=utf-8', await readFile(path.join(DASHBOARD_SOURCES, 'index.html'))),
    js: asset('text/javascript; charset=utf-8', output('js')),
    css: asset('text/css; charset=utf-8', output('css')),
  };
}
