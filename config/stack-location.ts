/**
 * Where the local stack lives and listens: its folder and ports, from flags over the environment over
 * the defaults. `fitlake services` and `npm start` read it the same way, so a stack moved with
 * FITLAKE_STACK_DIR and FITLAKE_*_PORT is the same stack for both.
 */
import path from 'node:path';
import { ConfigError } from '../lakehouse/errors.ts';
import { defaultStackDir } from '../devstack/paths.ts';
import { DEFAULT_PORTS, type StackPorts } from '../devstack/services.ts';

export interface StackFlags {
  dir?: string;
  temporalPort?: string;
  temporalUiPort?: string;
  kafkaPort?: string;
  kafkaControllerPort?: string;
  azuritePort?: string;
}

function port(raw: string | undefined, fallback: number, setting: string): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new ConfigError(`${setting}: '${raw}' is not a TCP port`, { setting, value: raw });
  return n;
}

export function stackLocation(env: NodeJS.ProcessEnv, flags: StackFlags = {}): { dir: string; ports: StackPorts } {
  const dir = path.resolve(flags.dir ?? env.FITLAKE_STACK_DIR ?? defaultStackDir);
  const temporal = port(flags.temporalPort ?? env.FITLAKE_TEMPORAL_PORT, DEFAULT_PORTS.temporal, 'FITLAKE_TEMPORAL_PORT');
  const ports: StackPorts = {
    temporal,
    temporalUi: port(flags.temporalUiPort ?? env.FITLAKE_TEMPORAL_UI_PORT, DEFAULT_PORTS.temporalUi, 'FITLAKE_TEMPORAL_UI_PORT'),
    // The Temporal HTTP and metrics ports follow the gRPC port so that a moved stack moves whole.
    temporalHttp: temporal + 10,
    temporalMetrics: temporal + 20,
    kafka: port(flags.kafkaPort ?? env.FITLAKE_KAFKA_PORT, DEFAULT_PORTS.kafka, 'FITLAKE_KAFKA_PORT'),
    kafkaController: port(flags.kafkaControllerPort ?? env.FITLAKE_KAFKA_CONTROLLER_PORT, DEFAULT_PORTS.kafkaController, 'FITLAKE_KAFKA_CONTROLLER_PORT'),
    azurite: port(flags.azuritePort ?? env.FITLAKE_AZURITE_PORT, DEFAULT_PORTS.azurite, 'FITLAKE_AZURITE_PORT'),
  };
  return { dir, ports };
}
