/**
 * Parsing of store locations: where a lake lives, as written in configuration.
 *
 * - a plain path (relative paths resolve against the working directory) or a `file://` URL
 * - `az://<container>/<prefix>`
 * - `abfss://<container>@<account>.dfs.core.windows.net/<prefix>` (the form Spark and Databricks
 *   use; it is served here through the account's Blob endpoint)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.ts';

export type StoreLocation =
  | { readonly kind: 'local'; readonly root: string }
  | {
      readonly kind: 'azure';
      readonly container: string;
      /** Blob name prefix, '' for the container root. */
      readonly prefix: string;
      /** Account name, when the location names one (abfss). */
      readonly account?: string;
      /** The account's Blob endpoint, when the location names the account (abfss). */
      readonly accountUrl?: string;
    };

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]+):/;
const SUPPORTED = 'a path, file:///path, az://container/prefix or abfss://container@account.dfs.core.windows.net/prefix';

/** Parses a store location (see the module comment); throws ConfigError naming it when it is not one. */
export function parseStoreLocation(location: string): StoreLocation {
  const trimmed = location.trim();
  if (trimmed === '') throw bad(location, 'it is empty');
  // Schemes of one letter are Windows drive letters (C:\lake), so a scheme needs two or more.
  const scheme = SCHEME.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', root: path.resolve(trimmed) };
  if (scheme !== 'file' && scheme !== 'az' && scheme !== 'abfss') throw bad(location, `unsupported scheme ${scheme}:`);
  if (/[?#]/.test(trimmed)) throw bad(location, 'query strings and fragments are not supported (give SAS tokens and keys as options)');
  switch (scheme) {
    case 'file':
      return { kind: 'local', root: fileRoot(location, trimmed) };
    case 'az': {
      const match = /^az:\/\/([^/@]+)(?:\/(.*))?$/i.exec(trimmed);
      if (match === null) throw bad(location, 'expected az://container/prefix');
      return { kind: 'azure', container: match[1]!, prefix: decodePrefix(location, match[2] ?? '') };
    }
    default: {
      // abfss, the only scheme left
      const match = /^abfss:\/\/([^/@]+)@([^/]+)(?:\/(.*))?$/i.exec(trimmed);
      if (match === null) throw bad(location, 'expected abfss://container@account.dfs.core.windows.net/prefix');
      const host = match[2]!.toLowerCase();
      const hostMatch = /^([a-z0-9]+)\.dfs\.(.+)$/.exec(host);
      if (hostMatch === null) throw bad(location, `host ${host} is not an account's dfs endpoint (<account>.dfs.core.windows.net)`);
      const account = hostMatch[1]!;
      return {
        kind: 'azure',
        container: match[1]!,
        prefix: decodePrefix(location, match[3] ?? ''),
        account,
        accountUrl: `https://${account}.blob.${hostMatch[2]!}`,
      };
    }
  }
}

function fileRoot(location: string, url: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw bad(location, error instanceof Error ? error.message : String(error), error);
  }
}

function decodePrefix(location: string, raw: string): string {
  try {
    return decodeURIComponent(raw).replace(/^\/+|\/+$/g, '');
  } catch (error) {
    throw bad(location, 'malformed percent-encoding in the path', error);
  }
}

function bad(location: string, why: string, cause?: unknown): ConfigError {
  // Never echo a query string: it may hold a SAS token.
  const shown = location.replace(/[?#].*$/s, '?…');
  return new ConfigError(`invalid store location ${JSON.stringify(shown)}: ${why}; expected ${SUPPORTED}`, {
    setting: 'location',
    value: shown,
    cause,
  });
}
