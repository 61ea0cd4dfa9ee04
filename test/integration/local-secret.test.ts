/**
 * After `npm start`, `fitlake token` and `fitlake serve` run in the same folder work without
 * FITLAKE_JWT_SECRET: they use the secret npm start generated (config/local-secret.ts), and say so. The
 * folder is FITLAKE_DATA_DIR here, a temporary one, so the test never touches the project's .data/.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureLocalJwtSecret, localJwtSecretFile } from '../../config/local-secret.ts';
import { runCli, startServe } from '../support/cli.ts';

test('token and serve use the local secret of npm start when FITLAKE_JWT_SECRET is unset, and refuse clearly without one', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'fitlake-secret-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const env = { FITLAKE_DATA_DIR: dir, FITLAKE_JWT_SECRET: '' };

  const refused = await runCli(['token', '--role', 'analyst'], env);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, new RegExp(`FITLAKE_JWT_SECRET is not set .*${localJwtSecretFile(env).replaceAll('/', '\\/')}`));

  // What npm start does on its first run when the variable is unset.
  ensureLocalJwtSecret(env);
  const token = await runCli(['token', '--role', 'analyst'], env);
  assert.equal(token.code, 0, token.stderr);
  assert.match(token.stderr, /using the local secret of npm start/);
  const bearer = token.stdout.trim();

  const serve = await startServe(t, ['--lake', path.join(dir, 'lake')], env);
  const url = serve.url;
  assert.match(serve.stderr(), /using the local secret of npm start/);
  const ask = (authorization: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ pipelineStatus { path } }' }) });
  // The token made with the file's secret is accepted; another is not.
  assert.equal((await ask(`Bearer ${bearer}`)).status, 200);
  assert.equal((await ask(`Bearer ${bearer.slice(0, -4)}AAAA`)).status, 401);
});
