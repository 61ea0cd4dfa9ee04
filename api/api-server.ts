/** The type of the GraphQL server (yoga) with fitlake's contexts: what api/yoga.ts builds and api/http-handler.ts serves. */
import type { YogaServerInstance } from 'graphql-yoga';
import type { CacheVerdictContext } from './cache/use-cache-verdict.ts';
import type { ApiContext } from './context.ts';
import type { QueryCostContext } from './limits/use-limits.ts';

export type ApiServer = YogaServerInstance<CacheVerdictContext & QueryCostContext, ApiContext>;
