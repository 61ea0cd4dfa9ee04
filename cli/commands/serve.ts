/** `fitlake serve`: the GraphQL API over the lake's gold tables, until SIGINT/SIGTERM. */
import { loadApiSettings } from '../../config/api-settings.ts';
import { loadMetricsSettings } from '../../config/metrics-settings.ts';
import { openStore } from '../../config/open-lake.ts';
import { createApi, createApiMetrics, DASHBOARD_PATH, GRAPHQL_ENDPOINT, HEALTH_ENDPOINT, LakeData, READY_ENDPOINT, startApiServer } from '../../api/index.ts';
import { parseArgs } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { METRICS_OPTIONS, metricsFlags, startCommandMetrics } from '../metrics-listener.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake serve [--port 4000] [--host 127.0.0.1] [--lake DIR|URI] [--cache-mb 64] [--rate-limit 100]
                     [--metrics-port N [--metrics-host ADDR]]

Serves the gold tables (workout_bpm_summary, gym_summary), coach aggregates, users' own views and the
pipeline status over GraphQL at /graphql, reading the latest committed table versions (looked for at
most once a second per table). Health: /healthz (process up); readiness: /readyz (gold tables open).
Every GraphQL request needs Authorization: Bearer <token> (see fitlake token). A dashboard at
/dashboard (sign in with a token: workouts, heart-rate curves, pipeline health) reads the same API;
any other path is 404.
Bounded: bodies of 64 KiB, queries of 16,000 characters and 1,000 tokens, depth 8, 30 aliases, cost
25,000; each client (a token's subject, or an address without a valid token) has a request budget.
With --metrics-port, Prometheus metrics (requests, latency, response cache, index loads, GraphQL
operations) are at /metrics on a listener of their own, never on the API's port.

Options:
  --port N          TCP port (FITLAKE_API_PORT, default 4000; 0 picks a free one)
  --host ADDR       address to bind (FITLAKE_API_HOST, default 127.0.0.1: loopback only)
  --lake DIR|URI    lake root (FITLAKE_LAKE, default .data/lake)
  --cache-mb N      memory for cached answers, in MiB (FITLAKE_API_CACHE_MB or api.cacheMb in
                    fitlake.config, default 64; 0 turns the response cache off)
  --rate-limit N    requests a second per client on average, twice that at once; costly queries
                    count more (FITLAKE_API_RATE_LIMIT or api.rateLimit, default 100; 0: off)
  --metrics-port N  serve Prometheus metrics at http://HOST:N/metrics, a listener of their own
                    (FITLAKE_API_METRICS_PORT; default off; 0 picks a free port, printed)
  --metrics-host ADDR
                    address of the metrics listener (FITLAKE_API_METRICS_HOST, default
                    127.0.0.1: loopback only)
  --json            print the address as JSON

Environment:
  FITLAKE_JWT_SECRET   HS256 key of the tokens, at least 32 characters; when unset, the secret
                       npm start keeps in .data/jwt-secret (FITLAKE_DATA_DIR), if there is one
  FITLAKE_JWT_ISSUER   token issuer (default fitlake); the audience is fitlake-api
  FITLAKE_API_MODE     development (GraphiQL, introspection) or production (neither);
                       default from NODE_ENV (production when NODE_ENV=production)
  FITLAKE_TOKEN_MAX_TTL_USER, FITLAKE_TOKEN_MAX_TTL_ANALYST
                       longest token lifetime accepted (default 24h and 30d)

Examples:
  export FITLAKE_JWT_SECRET=$(openssl rand -base64 48)
  fitlake serve --lake ./lake
  curl -H "Authorization: Bearer $(fitlake token --role analyst)" -H 'content-type: application/json' \\
       -d '{"query":"{ pipelineStatus { path version freshnessSeconds } }"}' http://127.0.0.1:4000/graphql`;

export const serveCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        lake: { type: 'string' },
        'cache-mb': { type: 'string' },
        'rate-limit': { type: 'string' },
        ...METRICS_OPTIONS,
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    const settings = loadApiSettings(process.env, {
      ...(values.port !== undefined ? { port: values.port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values.lake !== undefined ? { lake: values.lake } : {}),
      ...(values['cache-mb'] !== undefined ? { cacheMb: values['cache-mb'] } : {}),
      ...(values['rate-limit'] !== undefined ? { rateLimit: values['rate-limit'] } : {}),
    }, undefined, (line) => console.error(line));
    const metricsSettings = loadMetricsSettings(process.env, metricsFlags(values), 'api');
    const metrics = metricsSettings.port === undefined ? undefined : createApiMetrics([GRAPHQL_ENDPOINT, HEALTH_ENDPOINT, READY_ENDPOINT, DASHBOARD_PATH, `${DASHBOARD_PATH}/app.js`, `${DASHBOARD_PATH}/app.css`]);
    const root = openStore(settings, settings.lake);
    const data = new LakeData(root, metrics ? { onIndexLoad: metrics.indexLoaded } : {});
    const built = createApi({
      data,
      jwt: settings.jwt,
      mode: settings.mode,
      responseCacheBytes: Math.round(settings.responseCacheMb * 1024 * 1024),
      tokenLifetimes: settings.tokenLifetimes,
      rateLimit: settings.rateLimit === 0 ? false : { authenticated: { perSecond: settings.rateLimit, burst: 2 * settings.rateLimit } },
      ...(metrics ? { metrics } : {}),
    });
    let api;
    try {
      api = await startApiServer(built, { host: settings.host, port: settings.port });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new CliError(`port ${settings.port} on ${settings.host} is in use: choose another with --port`, ExitCode.failed);
      if (code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${settings.host}:${settings.port} (${code})`, ExitCode.failed);
      throw e;
    }
    let endpoint;
    try {
      endpoint = metrics && (await startCommandMetrics(metrics.registry, metricsSettings));
    } catch (e) {
      await api.close();
      throw e;
    }
    // Load the gold indexes now, so the first query does not wait for them.
    data.warmUp();
    const url = `${api.origin}${GRAPHQL_ENDPOINT}`;
    if (values.json) console.log(JSON.stringify({ url, health: `${api.origin}${HEALTH_ENDPOINT}`, ready: `${api.origin}${READY_ENDPOINT}`, mode: settings.mode, lake: settings.lake, ...(endpoint ? { metrics: endpoint.url } : {}) }));
    else {
      console.log(`fitlake API (${settings.mode}) on ${url}${settings.mode === 'development' ? ' (GraphiQL: open it in a browser)' : ''}`);
      console.log(`  lake ${settings.lake}; health ${api.origin}${HEALTH_ENDPOINT}, readiness ${api.origin}${READY_ENDPOINT}; Ctrl-C to stop`);
      console.log(`  dashboard ${api.origin}/dashboard (sign in with a token from fitlake token)`);
      if (endpoint) console.log(`  metrics ${endpoint.url}`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await Promise.all([api.close(), endpoint?.close()]);
    return ExitCode.ok;
  },
};
