/**
 * Settings of the GraphQL API (`fitlake serve`, `fitlake token`), read once at process entry from
 * flags, then the environment, then the fitlake.config file's `api` object (port, host, mode, cacheMb, rateLimit),
 * then defaults. The JWT secret has no default anywhere in the code, nor a place in the config file: a
 * server or a token without a configured secret is a configuration error, in every mode.
 */
import { ConfigError } from '../lakehouse/errors.ts';
import { parseSeconds } from './durations.ts';
import { readConfigFile, type ConfigFile } from './config-file.ts';
import { localJwtSecretFile, readLocalJwtSecret } from './local-secret.ts';
import { loadAzureSettings, type AzureSettings } from './open-lake.ts';
import { loadSettings } from './settings.ts';

export type ApiMode = 'development' | 'production';

export interface JwtSettings {
  /** HS256 key (FITLAKE_JWT_SECRET, required, at least 32 characters). */
  secret: string;
  /** @default fitlake (FITLAKE_JWT_ISSUER) */
  issuer: string;
  /** @default fitlake-api */
  audience: string;
}

/** The longest lifetime (`exp - iat`, seconds) the API accepts for a token of each role. */
export interface TokenLifetimes {
  /** @default 24 h (FITLAKE_TOKEN_MAX_TTL_USER) */
  readonly user: number;
  /** @default 30 days (FITLAKE_TOKEN_MAX_TTL_ANALYST) */
  readonly analyst: number;
}

export const DEFAULT_TOKEN_LIFETIMES: TokenLifetimes = { user: 24 * 3600, analyst: 30 * 24 * 3600 };

export interface ApiSettings extends AzureSettings {
  /** @default 4000 (FITLAKE_API_PORT) */
  port: number;
  /** @default 127.0.0.1 (FITLAKE_API_HOST): loopback unless told otherwise. */
  host: string;
  /** development: GraphiQL and introspection on; production: both off. From FITLAKE_API_MODE, else NODE_ENV. @default development */
  mode: ApiMode;
  jwt: JwtSettings;
  /** Memory bound of the response cache in MiB; 0 turns it off. @default 64 (--cache-mb, FITLAKE_API_CACHE_MB, api.cacheMb) */
  responseCacheMb: number;
  /** Longest token lifetimes accepted. */
  tokenLifetimes: TokenLifetimes;
  /** Requests a second each client may send on average (twice that at once); 0 turns the limit off. @default 100 (FITLAKE_API_RATE_LIMIT) */
  rateLimit: number;
  /** Lake root, as in Settings (FITLAKE_LAKE). */
  lake: string;
}

export interface ApiSettingFlags {
  port?: string;
  host?: string;
  lake?: string;
  cacheMb?: string;
  rateLimit?: string;
}

/** The shortest secret accepted: 32 characters, 256 bits when random, HS256's key size. */
export const MIN_SECRET_LENGTH = 32;
export const DEFAULT_API_PORT = 4000;
export const DEFAULT_RESPONSE_CACHE_MB = 64;
/** Requests a second per client. */
export const DEFAULT_RATE_LIMIT = 100;

/** JWT settings from the environment; ConfigError when the secret is absent or too short. */
export function loadJwtSettings(env: NodeJS.ProcessEnv, notice: (line: string) => void = () => {}): JwtSettings {
  let secret = env.FITLAKE_JWT_SECRET;
  if (secret === undefined || secret === '') {
    secret = readLocalJwtSecret(env);
    if (secret === undefined) {
      throw new ConfigError(
        `FITLAKE_JWT_SECRET is not set (and ${localJwtSecretFile(env)}, which npm start makes, does not exist): the API signs and verifies tokens with it. Set it to a random string of at least ${MIN_SECRET_LENGTH} characters, e.g. export FITLAKE_JWT_SECRET=$(openssl rand -base64 48)`,
        { setting: 'FITLAKE_JWT_SECRET' },
      );
    }
    notice(`FITLAKE_JWT_SECRET is not set: using the local secret of npm start in ${localJwtSecretFile(env)}`);
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    // The value is a secret: the message gives its length only.
    throw new ConfigError(`FITLAKE_JWT_SECRET is ${secret.length} characters long; it needs at least ${MIN_SECRET_LENGTH}`, { setting: 'FITLAKE_JWT_SECRET' });
  }
  return { secret, issuer: env.FITLAKE_JWT_ISSUER || 'fitlake', audience: 'fitlake-api' };
}

function lifetime(setting: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  let seconds = NaN;
  try {
    seconds = parseSeconds(setting, text);
  } catch {
    // Reported below, with the bounds a lifetime has.
  }
  if (!(seconds >= 60) || seconds > 365 * 86_400) throw new ConfigError(`${setting} '${text}' is not a lifetime between 1 minute and 1 year (examples: 12h, 7d)`, { setting, value: text });
  return seconds;
}

/** Token lifetimes from the environment (FITLAKE_TOKEN_MAX_TTL_USER, FITLAKE_TOKEN_MAX_TTL_ANALYST: 12h, 7d, …). */
export function loadTokenLifetimes(env: NodeJS.ProcessEnv): TokenLifetimes {
  return {
    user: lifetime('FITLAKE_TOKEN_MAX_TTL_USER', env.FITLAKE_TOKEN_MAX_TTL_USER, DEFAULT_TOKEN_LIFETIMES.user),
    analyst: lifetime('FITLAKE_TOKEN_MAX_TTL_ANALYST', env.FITLAKE_TOKEN_MAX_TTL_ANALYST, DEFAULT_TOKEN_LIFETIMES.analyst),
  };
}

function rateLimit(text: string | number): number {
  const n = Number(text);
  if ((typeof text === 'string' && !/^\s*\d+\s*$/.test(text)) || !Number.isSafeInteger(n) || n < 0) {
    throw new ConfigError(`rate limit '${text}' is not a whole number of requests per second (0 turns it off)`, { setting: 'FITLAKE_API_RATE_LIMIT', value: String(text) });
  }
  return n;
}

/** development or production, from FITLAKE_API_MODE over the config file's api.mode over NODE_ENV. */
export function apiMode(env: NodeJS.ProcessEnv, file: ConfigFile = {}): ApiMode {
  const explicit = env.FITLAKE_API_MODE ?? file.api?.mode;
  if (explicit !== undefined && explicit !== '') {
    if (explicit !== 'development' && explicit !== 'production') {
      throw new ConfigError(`FITLAKE_API_MODE must be development or production, not '${explicit}'`, { setting: 'FITLAKE_API_MODE', value: explicit });
    }
    return explicit;
  }
  return env.NODE_ENV === 'production' ? 'production' : 'development';
}

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 0 || n > 65_535) {
    throw new ConfigError(`port '${text}' is not a TCP port (0-65535)`, { setting: 'FITLAKE_API_PORT', value: text });
  }
  return n;
}

function cacheMb(value: string | number): number {
  const n = Number(value);
  if ((typeof value === 'string' && !/^\s*\d+(\.\d+)?\s*$/.test(value)) || !Number.isFinite(n) || n < 0 || n > 65_536) {
    throw new ConfigError(`response cache size '${value}' is not a number of MiB between 0 (off) and 65536`, { setting: 'FITLAKE_API_CACHE_MB', value: String(value) });
  }
  return n;
}

/** API settings from flags over environment over the config file over defaults; throws ConfigError on an invalid value. */
/** `notice` hears what a user should know of where a setting came from (the local secret file). */
export function loadApiSettings(env: NodeJS.ProcessEnv, flags: ApiSettingFlags = {}, file: ConfigFile = readConfigFile(env), notice?: (line: string) => void): ApiSettings {
  const base = loadSettings(env, flags.lake === undefined ? {} : { lake: flags.lake }, file);
  const host = (flags.host ?? env.FITLAKE_API_HOST ?? file.api?.host ?? '127.0.0.1').trim();
  if (host === '' || /\s/.test(host)) throw new ConfigError(`host '${host}' is not a host name or address`, { setting: 'FITLAKE_API_HOST', value: host });
  return {
    port: port(flags.port ?? env.FITLAKE_API_PORT ?? String(file.api?.port ?? DEFAULT_API_PORT)),
    host,
    mode: apiMode(env, file),
    jwt: loadJwtSettings(env, notice),
    responseCacheMb: cacheMb(flags.cacheMb ?? env.FITLAKE_API_CACHE_MB ?? file.api?.cacheMb ?? DEFAULT_RESPONSE_CACHE_MB),
    tokenLifetimes: loadTokenLifetimes(env),
    rateLimit: rateLimit(flags.rateLimit ?? env.FITLAKE_API_RATE_LIMIT ?? file.api?.rateLimit ?? DEFAULT_RATE_LIMIT),
    lake: base.lake,
    ...loadAzureSettings(env),
  };
}
