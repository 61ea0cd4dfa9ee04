/** The metrics listener of a long-running command (`worker`, `serve`), with listen failures as operator messages. */
import type { Registry } from 'prom-client';
import { startMetricsEndpoint, type MetricsEndpoint } from '../config/metrics-endpoint.ts';
import type { MetricsSettings } from '../config/metrics-settings.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export const METRICS_OPTIONS = {
  'metrics-port': { type: 'string' },
  'metrics-host': { type: 'string' },
} as const;

/** The flags' values as MetricsSettingFlags. */
export function metricsFlags(values: { 'metrics-port'?: string | undefined; 'metrics-host'?: string | undefined }): { port?: string; host?: string } {
  return { ...(values['metrics-port'] !== undefined ? { port: values['metrics-port'] } : {}), ...(values['metrics-host'] !== undefined ? { host: values['metrics-host'] } : {}) };
}

/** Start the listener when a port is set; undefined when metrics are off. */
export async function startCommandMetrics(registry: Registry, settings: MetricsSettings): Promise<MetricsEndpoint | undefined> {
  if (settings.port === undefined) return undefined;
  try {
    return await startMetricsEndpoint(registry, { host: settings.host, port: settings.port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`metrics port ${settings.port} on ${settings.host} is in use: choose another with --metrics-port`, ExitCode.failed);
    if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen for metrics on ${settings.host}:${settings.port} (${code})`, ExitCode.failed);
    throw e;
  }
}
