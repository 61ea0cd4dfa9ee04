/**
 * The script worker threads start from: tasks.ts and the fitlake modules it imports, bundled into one
 * JavaScript file by esbuild (the compiler tsx itself runs on). A worker that registered tsx instead
 * would compile each TypeScript module again through tsx's loader thread, which made starting two
 * workers cost seconds of a cold run; the bundle loads like any JavaScript, and is made again only when
 * a source changed (see sourcesKey). apache-arrow is bundled too (its hundreds of modules were half of
 * a worker's start); parquet-wasm stays outside and loads as published, finding its .wasm file beside
 * it: the bundle is written to node_modules/.cache/fitlake, where its name resolves.
 *
 * Where esbuild cannot be used, workers fall back to registering tsx. Running from the build in dist/
 * (scripts/build.ts), this module is JavaScript itself and tasks.js was bundled beside it at build time.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EsbuildModule from 'esbuild';

type Esbuild = typeof EsbuildModule;

const TASKS = new URL('./tasks.ts', import.meta.url);

let script: URL | undefined;

/** The URL of the worker script (built on first use; see the module comment). */
export function workerScript(): URL {
  script ??= import.meta.url.endsWith('.ts') ? (bundledScript() ?? tsxBootScript()) : new URL('./tasks.js', import.meta.url);
  return script;
}

/** The folder holding the node_modules that this module's packages come from, or undefined. */
function projectRoot(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', 'apache-arrow'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * A name for the bundle of the current sources: a hash of the bundle's layout, the esbuild and
 * apache-arrow versions and the path, size and modification time of every TypeScript file under
 * lakehouse/ and schema/ (all tasks.ts can import), so a process finds the bundle an earlier one made
 * without bundling again, and a changed source or package makes a new one.
 */
function sourcesKey(root: string, esbuildVersion: string): string {
  const hash = createHash('sha256').update(`${BUNDLE_LAYOUT}:${esbuildVersion}:${bundledPackageVersion(root, 'apache-arrow')}\n`);
  for (const dir of ['lakehouse', 'schema']) {
    const files = (readdirSync(path.join(root, dir), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
    for (const file of files) {
      const stat = statSync(path.join(root, dir, file));
      hash.update(`${dir}/${file}:${stat.size}:${stat.mtimeMs}\n`);
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Bumped when the bundle is built differently (what goes into it), so older bundles are not reused. */
const BUNDLE_LAYOUT = 2;

/** The installed version of a package the bundle includes ('' when it cannot be read). */
function bundledPackageVersion(root: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  } catch {
    return '';
  }
}

/** tasks.ts bundled into node_modules/.cache/fitlake (see sourcesKey), or undefined where that cannot be. */
function bundledScript(): URL | undefined {
  let esbuild: Esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch {
    return undefined;
  }
  const root = projectRoot();
  if (!root) return undefined;
  const dir = path.join(root, 'node_modules', '.cache', 'fitlake');
  const file = path.join(dir, `tasks-${sourcesKey(root, esbuild.version)}.mjs`);
  if (existsSync(file)) return pathToFileURL(file);
  const result = esbuild.buildSync({
    entryPoints: [fileURLToPath(TASKS)],
    bundle: true,
    // apache-arrow goes into the bundle: as a package it is a few hundred modules that each worker would
    // resolve and compile (about half of a worker's start). parquet-wasm stays an import by name (it
    // resolves from node_modules/.cache, next to where it lives) so that it finds its .wasm file.
    external: ['parquet-wasm'],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  try {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: a worker of another process never loads a half-written file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, result.outputFiles[0]!.text);
    renameSync(partial, file);
  } catch {
    return undefined; // a read-only install: the tsx way still works
  }
  return pathToFileURL(file);
}

/** A script that registers tsx and imports tasks.ts (workers do not inherit a loader registered in code). */
function tsxBootScript(): URL {
  const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};\nregister();\nawait import(${JSON.stringify(TASKS.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}
