/**
 * How to reach the Temporal frontend (TLS for a remote cluster), for the worker's native connection and
 * the CLI's client alike. Kept apart from the worker so that a command that only talks to Temporal
 * does not load the worker's native core.
 */
import { readFile } from 'node:fs/promises';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalSettings } from './settings.ts';

/** The options both connections take (the client's Connection accepts the same address, TLS and API key). */
export type TemporalConnectionOptions = Pick<NativeConnectionOptions, 'address' | 'tls' | 'apiKey'>;

/** Connection options for the Temporal frontend (TLS for a remote cluster). */
export async function temporalConnectionOptions(temporal: TemporalSettings): Promise<TemporalConnectionOptions> {
  if (temporal.tls) {
    const [crt, key] = await Promise.all([readFile(temporal.tls.certPath), readFile(temporal.tls.keyPath)]);
    return {
      address: temporal.address,
      tls: { clientCertPair: { crt, key }, ...(temporal.tls.serverNameOverride ? { serverNameOverride: temporal.tls.serverNameOverride } : {}) },
    };
  }
  if (temporal.apiKey) return { address: temporal.address, tls: true, apiKey: temporal.apiKey };
  return { address: temporal.address };
}

