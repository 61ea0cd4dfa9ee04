/**
 * The API's Prometheus metrics, in a registry of its own per API instance (tests run several APIs in
 * one process): at the HTTP edge, every request by route and status with its latency, cache hits
 * included; from the GraphQL execution (@envelop/prometheus), operations executed by type, their
 * duration and errors by phase; the response cache's hits, misses and evictions; and every index version
 * built, full or incremental. Labels are bounded by the code: routes are the API's own paths (anything
 * else is `other`), statuses the server's codes, tables the schema's; never an operation name, a query,
 * a user or a token.
 */
import { usePrometheus } from '@envelop/prometheus';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ResponseCache } from '../cache/response-cache.ts';
import type { IndexLoadKind } from '../data/lake-data.ts';
import type { HttpHandler } from '../http-handler.ts';

/** Seconds: a cached answer takes well under a millisecond, a large aggregate tens of milliseconds. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds: a gold index of a few files loads in milliseconds, a large table's first load in seconds. */
const INDEX_LOAD_BUCKETS = [0.001, 0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface ApiMetrics {
  readonly registry: Registry;
  /** The yoga plugin that records GraphQL executions (requests answered from the cache never execute). */
  readonly graphqlPlugin: ReturnType<typeof usePrometheus>;
  /** The node:http handler counting and timing every request it hands on. */
  instrument(handler: HttpHandler): HttpHandler;
  /** Report this cache's counters at scrape time (the cache counts them itself). */
  watchCache(cache: ResponseCache): void;
  /** LakeDataOptions.onIndexLoad: an index version was built. */
  indexLoaded(table: string, kind: IndexLoadKind, seconds: number): void;
}

/** The route label of a request path: one of the API's own paths, else `other` (a scanner's paths must not become series). */
export function routeOf(url: string | undefined, routes: readonly string[]): string {
  const pathname = (url ?? '').split('?', 1)[0]!;
  return routes.includes(pathname) ? pathname : 'other';
}

/** The metrics of one API whose own paths are `routes` (the GraphQL endpoint, health, readiness). */
export function createApiMetrics(routes: readonly string[]): ApiMetrics {
  const registry = new Registry();
  // The process's own figures (memory, CPU, event loop delay, GC), prom-client's standard set.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const requests = new Counter({ name: 'fitlake_api_requests_total', help: 'HTTP requests answered, by route and status (cache hits, refusals and errors included).', labelNames: ['route', 'status'], registers });
  const latency = new Histogram({ name: 'fitlake_api_request_duration_seconds', help: 'Time from a request’s arrival to the end of its answer, by route.', labelNames: ['route'], buckets: LATENCY_BUCKETS, registers });
  let cache: ResponseCache | undefined;
  // The cache counts for itself (ResponseCache.hits, …); these read it at scrape time, so the hot path
  // of a hit gains nothing.
  const cacheCounter = (name: string, help: string, read: (c: ResponseCache) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        if (cache) this.inc(read(cache));
      },
    });
  cacheCounter('fitlake_api_response_cache_hits_total', 'GraphQL POSTs answered from the response cache.', (c) => c.hits);
  cacheCounter('fitlake_api_response_cache_misses_total', 'GraphQL POSTs looked up in the response cache and not found there.', (c) => c.misses);
  cacheCounter('fitlake_api_response_cache_evictions_total', 'Answers evicted from the response cache to stay within its memory bound.', (c) => c.evictions);
  new Gauge({
    name: 'fitlake_api_response_cache_bytes',
    help: 'Memory held by the response cache (keys and bodies).',
    registers,
    collect() {
      this.set(cache?.bytes ?? 0);
    },
  });
  const indexLoads = new Counter({ name: 'fitlake_api_index_loads_total', help: 'Index versions built, by table and kind: full (read whole) or incremental (the previous index plus the files added).', labelNames: ['table', 'kind'], registers });
  const indexLoadTime = new Histogram({ name: 'fitlake_api_index_load_duration_seconds', help: 'Time to build an index version, by kind.', labelNames: ['kind'], buckets: INDEX_LOAD_BUCKETS, registers });

  const graphqlPlugin = usePrometheus({
    registry,
    // An operation name is the client's text: as a label it would make a series per name sent.
    labels: { operationName: false, fieldName: false, typeName: false, returnType: false, path: false, phase: true, operationType: true },
    metrics: {
      graphql_envelop_request: 'fitlake_graphql_operations_total',
      graphql_envelop_request_duration: 'fitlake_graphql_operation_duration_seconds',
      graphql_envelop_error_result: 'fitlake_graphql_errors_total',
    },
  });

  return {
    registry,
    graphqlPlugin,
    instrument(handler) {
      return (req, res) => {
        const started = performance.now();
        const route = routeOf(req.url, routes);
        let recorded = false;
        const record = (status: string) => {
          if (recorded) return;
          recorded = true;
          requests.inc({ route, status });
          latency.observe({ route }, (performance.now() - started) / 1000);
        };
        // 'finish': the whole answer is handed to the socket (before the client has read it, so a
        // scrape right after an answer counts it); 'close' without it: the client went away first.
        res.once('finish', () => record(String(res.statusCode)));
        res.once('close', () => record('aborted'));
        handler(req, res);
      };
    },
    watchCache(watched) {
      cache = watched;
    },
    indexLoaded(table, kind, seconds) {
      indexLoads.inc({ table, kind });
      indexLoadTime.observe({ kind }, seconds);
    },
  };
}
