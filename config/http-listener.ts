/**
 * Listening with a node:http server, the same way for every server fitlake runs (the API, the metrics
 * endpoints): bound to host:port (port 0: a free one), with the address as the socket reports it, and a
 * close that does not wait for idle keep-alive connections.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpListener {
  /** e.g. http://127.0.0.1:4000 (IPv6 addresses in brackets). */
  readonly origin: string;
  /** The address bound, as the socket reports it. */
  readonly address: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Listen on host:port; rejects with the listen error (a port in use, an address not here). */
export function listenHttp(server: Server, host: string, port: number): Promise<HttpListener> {
  // Keep-alive connections of scrapers, load generators and browsers must not hold close() forever.
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = server.address() as AddressInfo;
      const hostPart = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      resolve({
        origin: `http://${hostPart}:${bound.port}`,
        address: bound.address,
        port: bound.port,
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
