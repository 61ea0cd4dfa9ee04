/**
 * What each entry point installs: npm start and `fitlake services` need the three services' tools
 * only; the Python delta-rs environment is for the interoperability tests (npm test, npm run tools),
 * so a first `npm start` does not wait for it. Runs under npm test, after the tools are installed.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { ensureTools } from '../../devstack/tools.ts';

test('ensureTools gives the services their tools and the Python environment only when asked', async () => {
  const lines: string[] = [];
  const services = await ensureTools((line) => lines.push(line));
  assert.deepEqual(Object.keys(services).sort(), ['azuriteBlob', 'kafkaLibs', 'temporal']);
  for (const where of Object.values(services)) assert.ok(existsSync(where), where);
  assert.ok(!lines.some((line) => /python|deltalake/i.test(line)), lines.join('\n'));
  const withPython = await ensureTools(() => {}, { python: true });
  assert.ok(withPython.python && existsSync(withPython.python), String(withPython.python));
});
