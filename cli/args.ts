/** Flag parsing shared by commands: settings flags, durations and lists. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, ExitCode } from './exit-codes.ts';
import type { SettingFlags } from '../config/settings.ts';

/** Flags every command that talks to Temporal or the lake accepts. */
export const SETTINGS_OPTIONS = {
  'temporal-address': { type: 'string' },
  namespace: { type: 'string' },
  'task-queue': { type: 'string' },
  lake: { type: 'string' },
  landing: { type: 'string' },
  'landing-archive': { type: 'string' },
  kafka: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export const SETTINGS_HELP = `Connection and location options (flags override the environment):
  --temporal-address HOST:PORT   Temporal frontend      (FITLAKE_TEMPORAL_ADDRESS, default 127.0.0.1:7233)
  --namespace NAME               Temporal namespace     (FITLAKE_TEMPORAL_NAMESPACE, default default)
  --task-queue NAME              task queue             (FITLAKE_TASK_QUEUE, default fitlake-pipeline)
  --lake DIR|URI                 lake root: a folder or az://container/prefix (FITLAKE_LAKE, default .data/lake)
  --landing DIR|URI              landing zone           (FITLAKE_LANDING, default .data/landing)
  --landing-archive FOLDER       move ingested landing files to this folder of the landing zone (FITLAKE_LANDING_ARCHIVE; off by default)
  --kafka HOST:PORT[,...]        Kafka brokers to ingest from (FITLAKE_KAFKA_BROKERS; none by default)
  --threads N                    worker threads parsing big inputs, 0 = none (FITLAKE_THREADS, default one per core, at most 2)
  --json                         machine-readable output`;

export function settingFlags(values: Record<string, unknown>): SettingFlags {
  const pick = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  const flags: SettingFlags = {};
  const map: [keyof SettingFlags, string][] = [
    ['temporalAddress', 'temporal-address'],
    ['namespace', 'namespace'],
    ['taskQueue', 'task-queue'],
    ['lake', 'lake'],
    ['landing', 'landing'],
    ['landingArchive', 'landing-archive'],
    ['kafka', 'kafka'],
    ['threads', 'threads'],
  ];
  for (const [key, flag] of map) {
    const v = pick(flag);
    if (v !== undefined) flags[key] = v;
  }
  return flags;
}

/** Seconds of a duration like `5s`, `2m`, `1h` or a plain number of seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new CliError(`${flag}: '${text}' is not a duration (examples: 5s, 2m, 1h)`, ExitCode.usage);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return unit === 'ms' ? n / 1000 : unit === 's' ? n : unit === 'm' ? n * 60 : n * 3600;
}

export function parseList(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean);
}

export { parseArgs };
