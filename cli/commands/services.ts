/** `fitlake services up|down|status`: the local Temporal, Kafka and Azurite stack. */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stackLocation } from '../../config/stack-location.ts';
import { DEFAULT_PORTS, endpointsFor, stackStatus, startStack, stopStack } from '../../devstack/services.ts';
import { ensureTools } from '../../devstack/tools.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake services <up|down|status> [options]

Starts, stops or shows the local stack: the Temporal dev server with its web UI, a Kafka broker
(KRaft) and Azurite (Azure Blob Storage). All listen on 127.0.0.1; data and logs stay in the stack dir.
Tools missing from .tools/ are installed first (the Temporal CLI build takes minutes, once).

Options:
  --dir DIR                    stack folder (env FITLAKE_STACK_DIR)       [default: .stack]
  --temporal-port N            Temporal gRPC (env FITLAKE_TEMPORAL_PORT)  [default: ${DEFAULT_PORTS.temporal}]
  --temporal-ui-port N         Temporal web UI                            [default: ${DEFAULT_PORTS.temporalUi}]
  --kafka-port N               Kafka broker (env FITLAKE_KAFKA_PORT)      [default: ${DEFAULT_PORTS.kafka}]
  --kafka-controller-port N    Kafka KRaft controller                     [default: ${DEFAULT_PORTS.kafkaController}]
  --azurite-port N             Azurite blob (env FITLAKE_AZURITE_PORT)    [default: ${DEFAULT_PORTS.azurite}]
  --json                       machine-readable output

Examples:
  fitlake services up                     start everything, print the Temporal UI address
  fitlake services up --kafka-port 19092  use another broker port
  fitlake services status --json
  fitlake services down                   stop only what 'up' started`;

export const servicesCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        'temporal-port': { type: 'string' },
        'temporal-ui-port': { type: 'string' },
        'kafka-port': { type: 'string' },
        'kafka-controller-port': { type: 'string' },
        'azurite-port': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const action = positionals[0];
    if (values.help || !action) {
      console.log(usage);
      return values.help ? ExitCode.ok : ExitCode.usage;
    }
    const { dir, ports } = stackLocation(process.env, {
      ...(values.dir !== undefined ? { dir: values.dir } : {}),
      ...(values['temporal-port'] !== undefined ? { temporalPort: values['temporal-port'] } : {}),
      ...(values['temporal-ui-port'] !== undefined ? { temporalUiPort: values['temporal-ui-port'] } : {}),
      ...(values['kafka-port'] !== undefined ? { kafkaPort: values['kafka-port'] } : {}),
      ...(values['kafka-controller-port'] !== undefined ? { kafkaControllerPort: values['kafka-controller-port'] } : {}),
      ...(values['azurite-port'] !== undefined ? { azuritePort: values['azurite-port'] } : {}),
    });
    const log = values.json ? () => {} : (line: string) => console.log(line);

    switch (action) {
      case 'up': {
        const tools = await ensureTools(log);
        const started = await startStack({ dir, ports, tools, log });
        const e = started.endpoints;
        if (values.json) {
          console.log(JSON.stringify({ dir, endpoints: e, services: started.services }, null, 2));
        } else {
          for (const [name, s] of Object.entries(started.services)) {
            console.log(`${name.padEnd(9)} ${s.reused ? 'already running' : 'started'} (pid ${s.pid})`);
          }
          console.log('');
          console.log(`Temporal    ${e.temporalAddress}`);
          console.log(`Temporal UI ${e.temporalUiUrl}`);
          console.log(`Kafka       ${e.kafkaBrokers.join(',')}`);
          console.log(`Azurite     ${e.azureConnectionString.match(/BlobEndpoint=([^;]+)/)?.[1] ?? ''}`);
          console.log(`Logs        ${path.join(dir, 'logs')}`);
        }
        return ExitCode.ok;
      }
      case 'down': {
        const stopped = await stopStack(dir, log);
        if (values.json) console.log(JSON.stringify({ dir, stopped }));
        else if (stopped.length === 0) console.log(`nothing of this stack is running (${dir})`);
        return ExitCode.ok;
      }
      case 'status': {
        const status = await stackStatus(dir);
        const endpoints = status.ports ? endpointsFor(status.ports) : undefined;
        if (values.json) {
          console.log(JSON.stringify({ ...status, endpoints }, null, 2));
        } else {
          for (const [name, s] of Object.entries(status.services)) {
            console.log(`${name.padEnd(9)} ${s.state}${s.pid ? ` (pid ${s.pid})` : ''}`);
          }
          if (status.services.temporal.state === 'running' && endpoints) console.log(`\nTemporal UI ${endpoints.temporalUiUrl}`);
        }
        const all = Object.values(status.services);
        return all.every((s) => s.state === 'running') ? ExitCode.ok : ExitCode.unavailable;
      }
      default:
        throw new CliError(`unknown action '${action}'\n\n${usage}`, ExitCode.usage);
    }
  },
};
