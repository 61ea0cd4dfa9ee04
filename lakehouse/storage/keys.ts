/**
 * Key rules shared by every store, so a key valid on disk is valid on Azure and back. A key is a
 * '/'-separated relative path: no leading '/', no empty, '.' or '..' segment (they would escape the
 * root on disk or alias another key), no backslash (Azure folds it into '/', Windows treats it as a
 * separator) and no NUL.
 */
import { ConfigError } from '../errors.ts';

/** Throws ConfigError unless `key` is a valid object key (see the module comment). */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key, false);
  if (problem !== undefined) throw new ConfigError(`invalid object key ${JSON.stringify(key)}: ${problem}`, { setting: 'key', value: key });
}

/**
 * Throws ConfigError unless `prefix` is a valid list prefix: '' or a key, optionally ending in '/'.
 * The last segment may be partial, so only the segments before it are held to the key rules.
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix, true);
  if (problem !== undefined) throw new ConfigError(`invalid key prefix ${JSON.stringify(prefix)}: ${problem}`, { setting: 'prefix', value: prefix });
}

/** `a/b/` and `/a/b` → `a/b`: a store prefix in canonical form ('' for none). */
export function trimSlashes(prefix: string): string {
  return prefix.replace(/^\/+|\/+$/g, '');
}

/** Joins a canonical store prefix (see trimSlashes) and a key or list prefix. */
export function joinKey(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}/${key}`;
}

function keyProblem(key: string, partialLast: boolean): string | undefined {
  if (key === '') return 'empty';
  if (key.startsWith('/')) return "starts with '/'";
  if (key.includes('\\')) return 'contains a backslash';
  if (key.includes('\0')) return 'contains NUL';
  const segments = key.split('/');
  const checked = partialLast ? segments.slice(0, -1) : segments;
  for (const segment of checked) {
    if (segment === '') return 'has an empty path segment';
    if (segment === '.' || segment === '..') return `has a '${segment}' segment`;
  }
  return undefined;
}

/** Orders keys by UTF-16 code unit, as a plain `<` does; both stores sort their listings with it. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
