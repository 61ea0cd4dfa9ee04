/** A Temporal client for CLI commands, with the error an operator needs when the server is not there. */
import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.ts';
import { temporalConnectionOptions } from '../config/temporal-connection.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export async function connectClient(settings: Settings): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    const options = await temporalConnectionOptions(settings.temporal);
    connection = await Connection.connect({ ...options, connectTimeout: 3000 } as Parameters<typeof Connection.connect>[0]);
    await connection.healthService.check({});
  } catch (e) {
    throw new CliError(
      `the Temporal server at ${settings.temporal.address} is not reachable (${(e as Error).message.split('\n')[0]}).\n` +
        `Start the local one with \`npx fitlake services up\`, or point FITLAKE_TEMPORAL_ADDRESS at your cluster.`,
      ExitCode.unavailable,
    );
  }
  return { client: new Client({ connection, namespace: settings.temporal.namespace }), close: () => connection.close() };
}
