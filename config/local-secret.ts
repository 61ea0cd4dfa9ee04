/**
 * The API secret of a local setup: `npm start` generates one into `.data/jwt-secret` (owner-only) when
 * FITLAKE_JWT_SECRET is unset, and `fitlake serve` and `fitlake token` use that file when the variable is
 * unset too, so the commands work together on one machine without a secret to copy around. The folder is
 * FITLAKE_DATA_DIR, by default `.data/` in the project.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../devstack/paths.ts';

/** Where `npm start` keeps its local state (the demo lake, the API secret). */
export function localDataDir(env: NodeJS.ProcessEnv): string {
  return env.FITLAKE_DATA_DIR ? path.resolve(env.FITLAKE_DATA_DIR) : path.join(projectRoot, '.data');
}

export function localJwtSecretFile(env: NodeJS.ProcessEnv): string {
  return path.join(localDataDir(env), 'jwt-secret');
}

/** The local secret, when `npm start` made one. */
export function readLocalJwtSecret(env: NodeJS.ProcessEnv): string | undefined {
  const file = localJwtSecretFile(env);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/** The local secret, made (384 random bits, readable by the owner only) when there is none yet. */
export function ensureLocalJwtSecret(env: NodeJS.ProcessEnv): string {
  const existing = readLocalJwtSecret(env);
  if (existing) return existing;
  const file = localJwtSecretFile(env);
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
