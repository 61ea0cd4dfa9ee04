/**
 * After `npm start`, `fitlake token` and `fitlake serve` run in the same folder work without
 * FITLAKE_JWT_SECRET: they use the secret npm start generated (config/local-secret.ts), and say so. The
 * folder is FITLAKE_DATA_DIR here, a temporary one, so the test never touches the project's .data/.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureLocalJwtSecret, localJwtSecretFile } from '../../config/local-secret.ts';
import { projectRoot } from '../../devstack/paths.ts';
import { runCli } from '../support/cli.ts';

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

  const child = spawn(process.execPath, [path.join(projectRoot, 'bin', 'fitlake.js'), 'serve', '--port', '0', '--json', '--lake', path.join(dir, 'lake')], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill());
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`fitlake serve exited with ${code}: ${stderr}`)));
  });
  assert.match(stderr, /using the local secret of npm start/);
  const ask = (authorization: string) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ query: '{ pipelineStatus { path } }' }) });
  // The token made with the file's secret is accepted; another is not.
  assert.equal((await ask(`Bearer ${bearer}`)).status, 200);
  assert.equal((await ask(`Bearer ${bearer.slice(0, -4)}AAAA`)).status, 401);
});
