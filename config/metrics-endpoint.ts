/**
 * The HTTP listener of a process's Prometheus metrics: GET /metrics answers the text exposition format of
 * one prom-client Registry; any other path is 404. It is its own listener, apart from the GraphQL API's
 * port, so that the API can be public with a token on every path while its metrics stay on loopback.
 */
import { createServer, type Server } from 'node:http';
import { listenHttp } from './http-listener.ts';
import type { Registry } from 'prom-client';
import { DEFAULT_METRICS_HOST } from './metrics-settings.ts';

export const METRICS_PATH = '/metrics';

export interface MetricsEndpoint {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  /** The address bound, as the socket reports it. */
  readonly address: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** Serve `registry` on host:port (port 0: a free one; host: loopback by default). */
export async function startMetricsEndpoint(registry: Registry, { host = DEFAULT_METRICS_HOST, port }: { host?: string; port: number }): Promise<MetricsEndpoint> {
  const server = createServer((req, res) => {
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? undefined : text),
      // A collect callback that threw: nothing of it is shown (the process's log is the place for it).
      () => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be collected\n'),
    );
  });
  const { origin, ...listener } = await listenHttp(server, host, port);
  return { ...listener, url: `${origin}${METRICS_PATH}` };
}
