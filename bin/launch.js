// Loads one of fitlake's entry modules the fast way when it can: from dist/, the JavaScript `npm ci`
// (or `npm run build`) compiled from the current sources, with the workflow code bundled once, else from
// the TypeScript itself through tsx (which bundles the workflows at every worker start: about 2.3 s more).
// A build older than any source is never used (see source-key.js).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUILD_ENTRIES, sourceKey } from './source-key.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** True when this process's entries load from dist/: it holds a build of the sources as they are now, and FITLAKE_FROM_SOURCE=1 does not ask for them. */
export function loadsFromBuild() {
  if (process.env.FITLAKE_FROM_SOURCE === '1') return false;
  try {
    return readFileSync(path.join(root, 'dist', 'build-key'), 'utf8').trim() === sourceKey(root);
  } catch {
    return false;
  }
}

/** @param {'fitlake' | 'start'} name @returns {Promise<Record<string, unknown>>} the entry's module */
export async function launch(name) {
  if (loadsFromBuild()) return import(pathToFileURL(path.join(root, 'dist', `${name}.js`)).href);
  const { register } = await import('tsx/esm/api');
  register();
  return import(pathToFileURL(path.join(root, BUILD_ENTRIES[name])).href);
}
