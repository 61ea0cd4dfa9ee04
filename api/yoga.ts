/**
 * Builds the API (started by server.ts): the yoga server (schema and resolvers, authentication at the
 * HTTP edge, depth and cost limits, masked errors, graphql-jit execution, `/healthz` and `/readyz`, and
 * in production no GraphiQL and no introspection) and the node:http handler that puts the response
 * cache in front of it (http-handler.ts).
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, useReadinessCheck, type LogLevel, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { ApiMode, JwtSettings } from '../config/api-settings.ts';
import { useAuth, viewerOf } from './auth/use-auth.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import { DEFAULT_RESPONSE_CACHE_BYTES, ResponseCache } from './cache/response-cache.ts';
import { useCacheVerdict, type CacheVerdictContext } from './cache/use-cache-verdict.ts';
import type { ApiContext } from './context.ts';
import type { LakeData } from './data/lake-data.ts';
import { createHttpHandler, type HttpHandler } from './http-handler.ts';
import { useProductionHardening } from './limits/use-production-hardening.ts';
import { useQueryLimits, type QueryLimits } from './limits/use-limits.ts';
import { buildApiSchema } from './schema.ts';

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
  /** Clock for token expiry and freshness (ms). @default Date.now */
  now?: () => number;
  /** Memory bound of the response cache (keys and bodies); 0 turns the cache off. @default 64 MiB */
  responseCacheBytes?: number;
}

export type ApiServer = YogaServerInstance<CacheVerdictContext, ApiContext>;

export interface Api {
  /** The GraphQL server itself (`yoga.fetch` answers without a socket and without the response cache). */
  readonly yoga: ApiServer;
  /** The node:http handler: the response cache, then yoga; yoga alone when the cache is off. */
  readonly handler: HttpHandler;
  /** Undefined when the cache is off. */
  readonly cache: ResponseCache | undefined;
}

/** Queries are small; larger bodies get 413. */
const MAX_REQUEST_BODY_BYTES = 1_000_000;

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

export function createApi({ data, jwt, mode, limits, logging = true, now = Date.now, responseCacheBytes = DEFAULT_RESPONSE_CACHE_BYTES }: ApiOptions): Api {
  const development = mode === 'development';
  // One verifier for yoga and the cache in front of it: a token verified once is remembered by both.
  const verify = createTokenVerifier(jwt, { now });
  const yoga: ApiServer = createYoga<CacheVerdictContext, ApiContext>({
    schema: buildApiSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: HEALTH_ENDPOINT,
    landingPage: false,
    cors: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    logging,
    // isDev false: the original error never travels in extensions, whatever NODE_ENV says.
    maskedErrors: { isDev: false },
    graphiql: development
      ? {
          title: 'fitlake',
          defaultHeaders: JSON.stringify({ Authorization: 'Bearer <paste the output of: fitlake token --role analyst>' }, null, 2),
          defaultQuery: '{\n  pipelineStatus { path version rowCount freshnessSeconds }\n  workoutBpmSummaries(first: 10) { totalCount edges { node { userId workoutId sessionId avgBpm } } }\n}\n',
        }
      : false,
    context: ({ request }) => ({ viewer: viewerOf(request), data, now }),
    plugins: [
      useAuth({
        verify,
        graphqlEndpoint: GRAPHQL_ENDPOINT,
        graphiql: development,
        onRejected: (reason) => yoga.logger.debug(`401: ${reason}`),
      }),
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
      useQueryLimits(limits),
      ...(development ? [] : [useProductionHardening()]),
      useGraphQlJit({}, { onError: () => {} }),
      useCacheVerdict(),
    ],
  });
  if (responseCacheBytes === 0) return { yoga, handler: yoga, cache: undefined };
  const cache = new ResponseCache({ maxBytes: responseCacheBytes });
  return { yoga, cache, handler: createHttpHandler({ yoga, data, verify, cache, graphqlEndpoint: GRAPHQL_ENDPOINT, maxBodyBytes: MAX_REQUEST_BODY_BYTES }) };
}
