/**
 * `npm run build` (also run by `npm ci` and `npm install`, as `prepare`): compiles fitlake into dist/ so
 * a command starts as plain JavaScript instead of going through tsx, and a worker starts without
 * bundling the workflow code first. Measured on 2 cores: `fitlake worker` ready in 0.95–1.10 s instead of
 * 3.3–3.5 s (the workflow bundle); a command's own start gains little, as tsx caches what it compiled.
 *
 * - dist/fitlake.js, dist/start.js, dist/tasks.js: the entries (bin/source-key.js BUILD_ENTRIES) and the
 *   chunks they share, bundled by esbuild. Packages stay imports by name (they load as published: the
 *   Temporal core is native, graphql must be one instance), except apache-arrow, a few hundred modules
 *   that each process and worker thread would otherwise resolve one by one.
 * - dist/workflow-bundle.js: the workflow code bundled as Temporal's worker bundles it (webpack).
 * - dist/build-key: the identity of the sources built; launchers trust dist/ only when it matches.
 *
 * Every file lands flat in dist/, one folder below the project root as every source module is, so the
 * paths modules take relative to their own URL (schema/schema.graphql, the project root) hold in the
 * build too. The build is made aside and swapped in whole.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';
import { BUILD_ENTRIES, sourceKey } from '../bin/source-key.js';
import { projectRoot } from '../devstack/paths.ts';
import { workflowsPath } from '../workers/pipeline-worker.ts';

/** Packages compiled into the bundles instead of imported by name (see the module comment). */
const BUNDLED_PACKAGES = new Set(['apache-arrow']);

async function main(): Promise<void> {
  const started = performance.now();
  // The key of the sources as they are before building: a source changed during the build makes the
  // result stale, never wrongly current.
  const key = sourceKey(projectRoot);
  const next = path.join(projectRoot, `dist.building-${process.pid}`);
  await rm(next, { recursive: true, force: true });
  try {
    const manifest = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const packages = Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).filter((name) => !BUNDLED_PACKAGES.has(name));
    await build({
      absWorkingDir: projectRoot,
      entryPoints: BUILD_ENTRIES,
      outdir: next,
      bundle: true,
      splitting: true,
      chunkNames: 'chunk-[hash]',
      format: 'esm',
      platform: 'node',
      target: 'node20',
      external: packages.flatMap((name) => [name, `${name}/*`]),
      sourcemap: 'linked',
      logLevel: 'warning',
    });
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    await writeFile(path.join(next, 'workflow-bundle.js'), code);
    await writeFile(path.join(next, 'build-key'), `${key}\n`);
    const dist = path.join(projectRoot, 'dist');
    const old = `${dist}.old-${process.pid}`;
    if (existsSync(dist)) await rename(dist, old);
    await rename(next, dist);
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(next, { recursive: true, force: true });
  }
  console.log(`fitlake: built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The workflow bundler reports each step at INFO; only its warnings and errors are worth a line here. */
const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

await main();
