/**
 * Builds the API (started by server.ts): the yoga server (schema and resolvers, authentication, query
 * limits, masked errors, graphql-jit execution, `/healthz` and `/readyz`, and in production no GraphiQL,
 * no introspection and no field suggestions) and the node:http handler in front of it (http-handler.ts:
 * exact routes, authentication and rate limit before the body is read, body cap, response cache).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, maskError, useReadinessCheck, type LogLevel, type Plugin, type YogaLogger } from 'graphql-yoga';
import type { ApiServer } from './api-server.ts';
import { renderLocalGraphiQL, useGraphiqlPolicy } from './graphiql/local-graphiql.ts';
import { execute, GraphQLError } from 'graphql';
import { DEFAULT_TOKEN_LIFETIMES, type ApiMode, type JwtSettings, type TokenLifetimes } from '../config/api-settings.ts';
import { useAuth, viewerOf } from './auth/use-auth.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import { boundedDocumentCaches, DEFAULT_DOCUMENT_CACHE_BYTES } from './cache/document-cache.ts';
import { DEFAULT_RESPONSE_CACHE_BYTES, ResponseCache } from './cache/response-cache.ts';
import { useCacheVerdict, type CacheVerdictContext } from './cache/use-cache-verdict.ts';
import type { ApiContext } from './context.ts';
import type { LakeData } from './data/lake-data.ts';
import { createDashboardHandler } from './dashboard/dashboard-routes.ts';
import { createHttpHandler, type HttpHandler } from './http-handler.ts';
import { RateLimiter, type RateLimiterOptions } from './http/rate-limiter.ts';
import { useProductionHardening } from './limits/use-production-hardening.ts';
import { useQueryLimits, type QueryCostContext, type QueryLimits } from './limits/use-limits.ts';
import type { ApiMetrics } from './metrics/api-metrics.ts';
import { buildApiSchema } from './schema.ts';
import { ErrorCode } from './errors.ts';

export const GRAPHQL_ENDPOINT = '/graphql';
export const HEALTH_ENDPOINT = '/healthz';
export const READY_ENDPOINT = '/readyz';

export interface ApiOptions {
  data: LakeData;
  jwt: JwtSettings;
  /** development: GraphiQL and introspection; production: neither. */
  mode: ApiMode;
  limits?: QueryLimits;
  /** yoga's logging (masked errors are logged with their cause here). @default true */
  logging?: boolean | YogaLogger | LogLevel;
  /** Clock for token expiry, rate limits and freshness (ms). @default Date.now */
  now?: () => number;
  /** Memory bound of the response cache (keys and bodies); 0 turns the cache off. @default 64 MiB */
  responseCacheBytes?: number;
  /** Estimated memory of the parsed and validated documents kept. @default 16 MiB */
  documentCacheBytes?: number;
  /** Per-client request budgets; false turns the rate limit off. @default DEFAULT_RATE_LIMITS */
  rateLimit?: Omit<RateLimiterOptions, 'now'> | false;
  /** Longest token lifetime per role, seconds. @default 24 h for users, 30 days for analysts */
  tokenLifetimes?: TokenLifetimes;
  /** Where requests, GraphQL executions and the response cache are counted (api/metrics/api-metrics.ts). @default none */
  metrics?: ApiMetrics;
}

export interface Api {
  /** The GraphQL server itself (`yoga.fetch` answers without a socket, the rate limit and the response cache). */
  readonly yoga: ApiServer;
  /** The node:http handler: routes, authentication, rate limit, body cap and response cache, then yoga. */
  readonly handler: HttpHandler;
  /** Undefined when the cache is off. */
  readonly cache: ResponseCache | undefined;
}

/** Queries are small (the longest query text allowed is 16,000 characters); larger bodies get 413. */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

/**
 * yoga's masking, and then no `originalError` in extensions even where yoga puts one itself (an invalid
 * JSON body carries the JSON parser's message there), and a request yoga could not read (code
 * BAD_REQUEST: invalid JSON, no query) is 400 for every client, not 200 for application/json ones.
 * The error is changed in place: yoga logs every error its masking replaced, and a client's mistake is
 * nothing to log.
 */
function maskRequestErrors(error: unknown, message: string, isDev?: boolean): Error {
  const masked = maskError(error, message, isDev);
  if (!(masked instanceof GraphQLError)) return masked;
  const extensions = masked.extensions as Record<string, unknown> & { http?: Record<string, unknown> };
  delete extensions.originalError;
  if (extensions.code === ErrorCode.badRequest) extensions.http = { ...extensions.http, status: 400, spec: false };
  return masked;
}

/**
 * graphql-js executes what graphql-jit does not (it sets its own executor after this one): yoga's
 * executor (@graphql-tools/executor 2.0, the last for Node 20) puts a response's fields in the order
 * they resolved, where the GraphQL spec wants the order of the query.
 */
function useGraphqlJsExecution(): Plugin {
  return { onExecute: ({ setExecuteFn }) => setExecuteFn(execute) };
}

export function createApi({
  data,
  jwt,
  mode,
  limits,
  logging = true,
  now = Date.now,
  responseCacheBytes = DEFAULT_RESPONSE_CACHE_BYTES,
  documentCacheBytes = DEFAULT_DOCUMENT_CACHE_BYTES,
  rateLimit = {},
  tokenLifetimes = DEFAULT_TOKEN_LIFETIMES,
  metrics,
}: ApiOptions): Api {
  const development = mode === 'development';
  // One verifier for yoga and the HTTP layer in front of it: a token verified once is remembered by both.
  const verify = createTokenVerifier(jwt, { now, maxLifetimes: tokenLifetimes });
  const onRejected = (reason: string) => yoga.logger.debug(`refused: ${reason}`);
  const publicEndpoints = [HEALTH_ENDPOINT, READY_ENDPOINT];
  const executedBefore = new WeakSet<object>();
  const yoga: ApiServer = createYoga<CacheVerdictContext & QueryCostContext, ApiContext>({
    schema: buildApiSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: HEALTH_ENDPOINT,
    landingPage: false,
    cors: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    parserAndValidationCache: boundedDocumentCaches({ maxBytes: documentCacheBytes }),
    // One operation per request: a batch would multiply every limit.
    batching: false,
    logging,
    // isDev false: the original error never travels in extensions, whatever NODE_ENV says.
    maskedErrors: { isDev: false, maskError: maskRequestErrors },
    graphiql: development
      ? {
          title: 'fitlake',
          defaultHeaders: JSON.stringify({ Authorization: 'Bearer <paste the output of: fitlake token --role analyst>' }, null, 2),
          defaultQuery: '{\n  pipelineStatus { path version rowCount freshnessSeconds }\n  workoutBpmSummaries(first: 10) { totalCount edges { node { userId workoutId sessionId avgBpm } } }\n}\n',
        }
      : false,
    renderGraphiQL: renderLocalGraphiQL,
    context: ({ request }) => ({ viewer: viewerOf(request), data, now }),
    plugins: [
      useGraphqlJsExecution(),
      useAuth({ verify, graphqlEndpoint: GRAPHQL_ENDPOINT, publicEndpoints, graphiql: development, onRejected }),
      useReadinessCheck({
        endpoint: READY_ENDPOINT,
        check: async () => {
          try {
            return (await data.ready()) ? json({ status: 'ready' }, 200) : json({ status: 'not ready' }, 503);
          } catch {
            return json({ status: 'not ready' }, 503);
          }
        },
      }),
      ...useQueryLimits(limits),
      ...(development ? [] : [useProductionHardening()]),
      // graphql-jit compiles a document on its second execution: compiling costs more than running once
      // (30 aliased pages took 58 ms to compile), so one-off documents, hostile or not, run on graphql-js (useGraphqlJsExecution).
      useGraphQlJit({}, { onError: () => {}, enableIf: ({ document }) => executedBefore.has(document) || (executedBefore.add(document), false) }),
      useCacheVerdict(),
      ...(metrics ? [metrics.graphqlPlugin] : []),
      ...(development ? [useGraphiqlPolicy()] : []),
    ],
  });
  // The dashboard in both modes: it is a client of /graphql like any other, with the same tokens.
  const dashboard = createDashboardHandler({ onBuildError: (e) => yoga.logger.error('the dashboard could not be built', e) });
  const cache = responseCacheBytes === 0 ? undefined : new ResponseCache({ maxBytes: responseCacheBytes });
  const limiter = rateLimit === false ? undefined : new RateLimiter({ ...rateLimit, now });
  const served = createHttpHandler({ yoga, data, verify, cache, limiter, graphqlEndpoint: GRAPHQL_ENDPOINT, publicEndpoints, graphiql: development, maxBodyBytes: MAX_REQUEST_BODY_BYTES, onRejected, dashboard });
  if (metrics && cache) metrics.watchCache(cache);
  const handler = metrics ? metrics.instrument(served) : served;
  return { yoga, cache, handler };
}
