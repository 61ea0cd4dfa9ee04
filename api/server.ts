/** Starts the API on a node HTTP server (the API is built in yoga.ts) and stops it. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Api } from './yoga.ts';

export interface RunningApi {
  /** e.g. http://127.0.0.1:4000 */
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listen on host:port (port 0: any free port). Loopback by default. */
export function startApiServer(api: Pick<Api, 'handler'>, { host = '127.0.0.1', port = 4000 }: { host?: string; port?: number } = {}): Promise<RunningApi> {
  const server = createServer(api.handler);
  // Keep-alive connections of load generators and browsers must not hold close() forever.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        origin: `http://${hostPart}:${address.port}`,
        port: address.port,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => (e ? fail(e) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
