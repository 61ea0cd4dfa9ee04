/**
 * Every installed package runs on the Node versions package.json promises (its engines field, Node 20
 * and later): a dependency that wants a newer Node is pinned to a release that does not (the overrides
 * of package.json), instead of npm warning about it on every install.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import semver from 'semver';
import { projectRoot } from '../../devstack/paths.ts';

const read = (file: string) => JSON.parse(readFileSync(path.join(projectRoot, file), 'utf8')) as { engines?: { node?: string }; packages?: Record<string, { engines?: { node?: string } | string[] }> };

test("no installed package needs a newer Node than the project's engines allow", () => {
  const promised = read('package.json').engines?.node;
  assert.ok(promised, 'package.json says which Node versions it supports');
  const oldest = semver.minVersion(promised)!;
  assert.ok(semver.satisfies(process.version, promised), `this Node ${process.version} is one of ${promised}`);
  const tooNew: string[] = [];
  for (const [where, pkg] of Object.entries(read('package-lock.json').packages ?? {})) {
    const wanted = Array.isArray(pkg.engines) ? undefined : pkg.engines?.node;
    if (where === '' || !wanted) continue;
    // The oldest Node the project promises, and the one running here, must both be good for it.
    if (!semver.satisfies(oldest, wanted) || !semver.satisfies(process.version, wanted)) tooNew.push(`${where.replace(/^.*node_modules\//, '')} wants node ${wanted}`);
  }
  assert.deepEqual(tooNew, []);
});
