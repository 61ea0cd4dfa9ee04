/**
 * The optional `fitlake.config` file (JSON) in the working directory, or the file named by
 * FITLAKE_CONFIG. Every key is checked: an unknown key or a value of the wrong type is a ConfigError
 * naming the key, so a typo never silently falls back to a default.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lakehouse/errors.ts';

export interface ConfigFile {
  temporalAddress?: string;
  namespace?: string;
  taskQueue?: string;
  lake?: string;
  landing?: string;
  /** Folder of the landing zone that ingested files move to (see Settings.landingArchive). */
  landingArchive?: string;
  /** Comma-separated string or array of host:port. */
  kafka?: string | string[];
  /** Worker threads for parsing and encoding (0: none). */
  threads?: number;
  /** cacheMb: the API's response cache bound in MiB (0: off); rateLimit: requests a second per client (0: off). */
  api?: { port?: number; host?: string; mode?: 'development' | 'production'; cacheMb?: number; rateLimit?: number };
}

const STRING_KEYS = ['temporalAddress', 'namespace', 'taskQueue', 'lake', 'landing', 'landingArchive'] as const;
const API_KEYS = { port: 'number', host: 'string', mode: 'string', cacheMb: 'number', rateLimit: 'number' } as const;

/** Parse and validate config file text; `source` names the file in messages. */
export function parseConfigFile(text: string, source: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${source} is not valid JSON: ${(e as Error).message}`, { setting: source });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${source} must hold a JSON object`, { setting: source });
  const out: ConfigFile = {};
  for (const [key, value] of Object.entries(raw)) {
    if ((STRING_KEYS as readonly string[]).includes(key)) {
      if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${source}: "${key}" must be a non-empty string`, { setting: key });
      out[key as (typeof STRING_KEYS)[number]] = value;
    } else if (key === 'kafka') {
      if (typeof value !== 'string' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
        throw new ConfigError(`${source}: "kafka" must be "host:port,…" or an array of "host:port"`, { setting: key });
      }
      out.kafka = value as string | string[];
    } else if (key === 'threads') {
      if (typeof value !== 'number') throw new ConfigError(`${source}: "threads" must be a number`, { setting: key });
      out.threads = value;
    } else if (key === 'api') {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${source}: "api" must be an object`, { setting: key });
      const api: NonNullable<ConfigFile['api']> = {};
      for (const [k, v] of Object.entries(value)) {
        const want = API_KEYS[k as keyof typeof API_KEYS];
        if (!want) throw new ConfigError(`${source}: unknown key "api.${k}" (known: ${Object.keys(API_KEYS).join(', ')})`, { setting: `api.${k}` });
        if (typeof v !== want) throw new ConfigError(`${source}: "api.${k}" must be a ${want}`, { setting: `api.${k}` });
        if (k === 'mode' && v !== 'development' && v !== 'production') throw new ConfigError(`${source}: "api.mode" must be "development" or "production"`, { setting: 'api.mode' });
        (api as Record<string, unknown>)[k] = v;
      }
      out.api = api;
    } else {
      throw new ConfigError(`${source}: unknown key "${key}" (known: ${[...STRING_KEYS, 'kafka', 'threads', 'api'].join(', ')})`, { setting: key });
    }
  }
  return out;
}

/** The config file of this process, if there is one: FITLAKE_CONFIG, else ./fitlake.config. */
export function readConfigFile(env: NodeJS.ProcessEnv, cwd = process.cwd()): ConfigFile {
  const explicit = env.FITLAKE_CONFIG;
  const file = path.resolve(cwd, explicit ?? 'fitlake.config');
  if (!existsSync(file)) {
    if (explicit) throw new ConfigError(`FITLAKE_CONFIG names ${file}, which does not exist`, { setting: 'FITLAKE_CONFIG', value: explicit });
    return {};
  }
  return parseConfigFile(readFileSync(file, 'utf8'), file);
}
