/**
 * The script worker threads start from: tasks.ts and the fitlake modules it imports, bundled into one
 * JavaScript file by esbuild (the compiler tsx itself runs on). A worker that registered tsx instead
 * would compile each TypeScript module again through tsx's loader thread, which made starting two
 * workers cost seconds of a cold run; the bundle is made once per process in a fraction of that and
 * loads like any JavaScript. Packages (apache-arrow, parquet-wasm) stay outside the bundle and load as
 * published (parquet-wasm finds its .wasm file beside it): the bundle is written to
 * node_modules/.cache/fitlake, where their names resolve.
 *
 * Where esbuild cannot be used, workers fall back to registering tsx.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as EsbuildModule from 'esbuild';

type Esbuild = typeof EsbuildModule;

const TASKS = new URL('./tasks.ts', import.meta.url);

let script: URL | undefined;

/** The URL of the worker script (built on first use; see the module comment). */
export function workerScript(): URL {
  script ??= bundledScript() ?? tsxBootScript();
  return script;
}

/** The folder holding the node_modules that this module's packages come from, or undefined. */
function projectRoot(): string | undefined {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'node_modules', 'apache-arrow'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** tasks.ts bundled into node_modules/.cache/fitlake under its content hash, or undefined where that cannot be. */
function bundledScript(): URL | undefined {
  let esbuild: Esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch {
    return undefined;
  }
  const root = projectRoot();
  if (!root) return undefined;
  const result = esbuild.buildSync({
    entryPoints: [fileURLToPath(TASKS)],
    bundle: true,
    // Packages stay imports by name: they resolve from node_modules/.cache, next to where they live.
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const text = result.outputFiles[0]!.text;
  const dir = path.join(root, 'node_modules', '.cache', 'fitlake');
  const file = path.join(dir, `tasks-${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  try {
    if (!existsSync(file)) {
      mkdirSync(dir, { recursive: true });
      // Written aside and renamed: a worker of another process never loads a half-written file.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, text);
      renameSync(partial, file);
    }
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
