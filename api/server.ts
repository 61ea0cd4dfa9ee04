/** Starts the API on a node HTTP server (the API is built in yoga.ts) and stops it. */
import { createServer, type Server } from 'node:http';
import { listenHttp } from '../config/http-listener.ts';
import type { Api } from './yoga.ts';

export interface RunningApi {
  /** e.g. http://127.0.0.1:4000 */
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listen on host:port (port 0: any free port). Loopback by default. */
export async function startApiServer(api: Pick<Api, 'handler'>, { host = '127.0.0.1', port = 4000 }: { host?: string; port?: number } = {}): Promise<RunningApi> {
  const { origin, port: bound, server, close } = await listenHttp(createServer(api.handler), host, port);
  return { origin, port: bound, server, close };
}
