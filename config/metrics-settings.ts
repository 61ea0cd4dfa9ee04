/**
 * Where a process serves its Prometheus metrics (`fitlake worker`, `fitlake serve`): read once at process
 * entry from a flag, then the environment. Off unless a port is given: a worker or an API binds no
 * socket it was not asked for, and several workers on one machine (scale-out) do not fight over a port.
 * Loopback unless told otherwise: the metrics name tables and steps, which is nobody else's business.
 */
import { ConfigError } from '../lakehouse/errors.ts';

export interface MetricsSettings {
  /** TCP port of the metrics listener; 0 picks a free one; undefined: no listener. @default undefined */
  port: number | undefined;
  /** Address the listener binds. @default 127.0.0.1 */
  host: string;
}

export interface MetricsSettingFlags {
  port?: string;
  host?: string;
}

/** Whose metrics: names the environment variables, FITLAKE_WORKER_METRICS_* or FITLAKE_API_METRICS_*. */
export type MetricsProcess = 'worker' | 'api';

export const DEFAULT_METRICS_HOST = '127.0.0.1';

/** Metrics settings from flags over the environment; ConfigError on a port or host that cannot be. */
export function loadMetricsSettings(env: NodeJS.ProcessEnv, flags: MetricsSettingFlags, process: MetricsProcess): MetricsSettings {
  const prefix = process === 'worker' ? 'FITLAKE_WORKER_METRICS' : 'FITLAKE_API_METRICS';
  const portText = flags.port ?? env[`${prefix}_PORT`];
  const host = (flags.host ?? env[`${prefix}_HOST`] ?? DEFAULT_METRICS_HOST).trim();
  if (host === '' || /\s/.test(host)) throw new ConfigError(`metrics host '${host}' is not a host name or address`, { setting: `${prefix}_HOST`, value: host });
  if (portText === undefined || portText.trim() === '') return { port: undefined, host };
  const port = Number(portText);
  if (!/^\d+$/.test(portText.trim()) || !Number.isInteger(port) || port > 65_535) {
    throw new ConfigError(`metrics port '${portText}' is not a TCP port (0-65535, 0: a free one)`, { setting: `${prefix}_PORT`, value: portText });
  }
  return { port, host };
}
