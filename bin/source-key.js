// The identity of the sources a build was made from: a hash of the path, size and modification time of
// every TypeScript file fitlake runs, of package-lock.json (the packages bundled in) and of the build's
// own layout. A build records it; a launcher compares it to the tree's before trusting the build, so a
// changed source is never run from an older build (it runs through tsx until the next `npm run build`).
// Plain JavaScript because it runs before anything can load TypeScript; stat only, about 5 ms.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The folders whose TypeScript goes into a build (test/ and bench/ never run from one). */
export const SOURCE_DIRS = ['activities', 'api', 'cli', 'config', 'devstack', 'lakehouse', 'schema', 'scripts', 'simulator', 'workers', 'workflows'];

/**
 * What a build holds: dist/<name>.js for each entry, from its TypeScript source (and the chunks they
 * share), plus the Temporal workflow bundle. `tasks` is what worker threads start from.
 */
export const BUILD_ENTRIES = { fitlake: 'cli/main.ts', start: 'scripts/start.ts', tasks: 'lakehouse/threads/tasks.ts' };

/** Bumped when the build is made differently, so an older build is not taken for a current one. */
const BUILD_LAYOUT = 1;

/** @param {string} root the project folder @returns {string} */
export function sourceKey(root) {
  const hash = createHash('sha256').update(`layout ${BUILD_LAYOUT}\n`);
  const entry = (/** @type {string} */ file) => {
    const stat = statSync(path.join(root, file));
    hash.update(`${file}:${stat.size}:${stat.mtimeMs}\n`);
  };
  entry('package-lock.json');
  for (const dir of SOURCE_DIRS) {
    const files = /** @type {string[]} */ (readdirSync(path.join(root, dir), { recursive: true })).filter((f) => f.endsWith('.ts')).sort();
    for (const file of files) entry(path.join(dir, file));
  }
  return hash.digest('hex').slice(0, 20);
}
