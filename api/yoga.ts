/**
 * Builds the API's yoga server (started by server.ts): schema and resolvers, authentication at the
 * HTTP edge, depth and cost limits, masked errors, graphql-jit execution, `/healthz` and `/readyz`, and
 * in production no GraphiQL and no introspection.
 */
import { useGraphQlJit } from '@envelop/graphql-jit';
import { createYoga, useReadinessCheck, type LogLevel, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { ApiMode, JwtSettings } from '../config/api-settings.ts';
import { useAuth, viewerOf } from './auth/use-auth.ts';
import { createTokenVerifier } from './auth/verify-token.ts';
import type { ApiContext } from './context.ts';
import type { LakeData } from './data/lake-data.ts';
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
}

export type ApiServer = YogaServerInstance<Record<string, never>, ApiContext>;

const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });

export function createApi({ data, jwt, mode, limits, logging = true, now = Date.now }: ApiOptions): ApiServer {
  const development = mode === 'development';
  const yoga: ApiServer = createYoga<Record<string, never>, ApiContext>({
    schema: buildApiSchema(),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    healthCheckEndpoint: HEALTH_ENDPOINT,
    landingPage: false,
    cors: false,
    // Queries are small; yoga answers 413 above this.
    maxRequestBodySize: 1_000_000,
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
        verify: createTokenVerifier(jwt, { now }),
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
    ],
  });
  return yoga;
}
