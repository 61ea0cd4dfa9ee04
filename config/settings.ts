/**
 * The process configuration, read once at process entry (cli/, workers/, api/) from flags, then the
 * environment, then the optional fitlake.config file (config-file.ts), then defaults, and validated into a typed object. Nothing below the entry points reads
 * process.env.
 */
import path from 'node:path';
import { ConfigError } from '../lakehouse/errors.ts';
import { parseStoreLocation } from '../lakehouse/storage/index.ts';
import { readConfigFile, type ConfigFile } from './config-file.ts';
import { localDataDir } from './local-secret.ts';
import { loadAzureSettings, type AzureSettings } from './open-lake.ts';
import { loadIngestionSettings, type IngestionSettings } from './ingestion-settings.ts';

export interface TemporalSettings {
  /** @default 127.0.0.1:7233 (FITLAKE_TEMPORAL_ADDRESS) */
  address: string;
  /** @default default (FITLAKE_TEMPORAL_NAMESPACE) */
  namespace: string;
  /** @default fitlake-pipeline (FITLAKE_TASK_QUEUE) */
  taskQueue: string;
  /** Client certificate and key for mTLS to a remote cluster (FITLAKE_TEMPORAL_TLS_CERT / _KEY, file paths). */
  tls?: { certPath: string; keyPath: string; serverNameOverride?: string };
  /** API key for Temporal Cloud (FITLAKE_TEMPORAL_API_KEY); implies TLS. */
  apiKey?: string;
}

/** Azure options (connection string or account URL) come with the settings: see config/open-lake.ts. */
export interface Settings extends AzureSettings {
  temporal: TemporalSettings;
  /** Lake root: folder or az://container/prefix (FITLAKE_LAKE). @default .data/lake */
  lake: string;
  /** Landing zone root (FITLAKE_LANDING). @default .data/landing */
  landing: string;
  /**
   * Folder of the landing zone (relative to its root) that fully ingested files are moved into, so later
   * cycles neither list nor read them again (FITLAKE_LANDING_ARCHIVE). @default undefined: files stay
   */
  landingArchive?: string;
  /** Kafka bootstrap servers (FITLAKE_KAFKA_BROKERS, comma-separated); none means no broker source. */
  kafkaBrokers: string[];
  /**
   * Worker threads that parse and encode big inputs (FITLAKE_THREADS; 0: none, the same work in-thread).
   * @default undefined: one per core, at most 2, none on a single core
   */
  threads?: number;
  /** How ingestion judges its input (config/ingestion-settings.ts). */
  ingestion: IngestionSettings;
}

export interface SettingFlags {
  temporalAddress?: string;
  namespace?: string;
  taskQueue?: string;
  lake?: string;
  landing?: string;
  landingArchive?: string;
  kafka?: string;
  threads?: string;
}

/** A validated location: local forms become absolute paths (workers may run elsewhere), Azure URIs stay. */
function location(value: string, setting: string): string {
  try {
    const parsed = parseStoreLocation(value);
    return parsed.kind === 'local' ? parsed.root : value.trim();
  } catch (e) {
    throw new ConfigError(`${setting}: ${(e as Error).message}`, { setting, value, cause: e });
  }
}

/** Settings from flags over environment over the config file over defaults; throws ConfigError on an invalid value. */
export function loadSettings(env: NodeJS.ProcessEnv, flags: SettingFlags = {}, file: ConfigFile = readConfigFile(env)): Settings {
  const address = flags.temporalAddress ?? env.FITLAKE_TEMPORAL_ADDRESS ?? file.temporalAddress ?? '127.0.0.1:7233';
  if (!/^[^\s:]+:\d+$/.test(address)) throw new ConfigError(`temporal address '${address}' is not host:port`, { setting: 'FITLAKE_TEMPORAL_ADDRESS', value: address });
  const certPath = env.FITLAKE_TEMPORAL_TLS_CERT;
  const keyPath = env.FITLAKE_TEMPORAL_TLS_KEY;
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new ConfigError('FITLAKE_TEMPORAL_TLS_CERT and FITLAKE_TEMPORAL_TLS_KEY must be set together', { setting: 'FITLAKE_TEMPORAL_TLS_CERT' });
  }
  const kafka = flags.kafka ?? env.FITLAKE_KAFKA_BROKERS ?? (Array.isArray(file.kafka) ? file.kafka.join(',') : file.kafka) ?? '';
  const kafkaBrokers = kafka.split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of kafkaBrokers) if (!/^[^\s:]+:\d+$/.test(broker)) throw new ConfigError(`Kafka broker '${broker}' is not host:port`, { setting: 'FITLAKE_KAFKA_BROKERS', value: broker });
  const lake = location(flags.lake ?? env.FITLAKE_LAKE ?? file.lake ?? path.join(localDataDir(env), 'lake'), 'FITLAKE_LAKE');
  const landing = location(flags.landing ?? env.FITLAKE_LANDING ?? file.landing ?? path.join(localDataDir(env), 'landing'), 'FITLAKE_LANDING');
  const landingArchive = (flags.landingArchive ?? env.FITLAKE_LANDING_ARCHIVE ?? file.landingArchive ?? '').trim().replace(/^\/+|\/+$/g, '');
  // A folder inside the landing zone; that it lies outside the source folders the ingesting steps check.
  if (landingArchive !== '' && landingArchive.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new ConfigError(`landing archive '${landingArchive}' must be a folder of the landing zone, e.g. _ingested`, { setting: 'FITLAKE_LANDING_ARCHIVE', value: landingArchive });
  }
  const threadsSetting = flags.threads ?? env.FITLAKE_THREADS ?? file.threads;
  const threads = threadsSetting === undefined || threadsSetting === '' ? undefined : Number(threadsSetting);
  if (threads !== undefined && !(Number.isSafeInteger(threads) && threads >= 0 && threads <= 64)) {
    throw new ConfigError(`threads '${threadsSetting}' is not a whole number from 0 to 64`, { setting: 'FITLAKE_THREADS', value: String(threadsSetting) });
  }
  return {
    temporal: {
      address,
      namespace: flags.namespace ?? env.FITLAKE_TEMPORAL_NAMESPACE ?? file.namespace ?? 'default',
      taskQueue: flags.taskQueue ?? env.FITLAKE_TASK_QUEUE ?? file.taskQueue ?? 'fitlake-pipeline',
      ...(certPath && keyPath ? { tls: { certPath, keyPath, ...(env.FITLAKE_TEMPORAL_TLS_SERVER_NAME ? { serverNameOverride: env.FITLAKE_TEMPORAL_TLS_SERVER_NAME } : {}) } } : {}),
      ...(env.FITLAKE_TEMPORAL_API_KEY ? { apiKey: env.FITLAKE_TEMPORAL_API_KEY } : {}),
    },
    lake,
    landing,
    ...(landingArchive !== '' ? { landingArchive } : {}),
    kafkaBrokers,
    ...loadAzureSettings(env),
    ...(threads !== undefined ? { threads } : {}),
    ingestion: loadIngestionSettings(env),
  };
}
