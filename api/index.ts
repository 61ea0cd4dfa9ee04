/** The API's public surface: build (yoga.ts), start (server.ts), the lake data it serves, tokens. */
export { createApi, GRAPHQL_ENDPOINT, HEALTH_ENDPOINT, READY_ENDPOINT, type Api, type ApiOptions } from './yoga.ts';
export type { ApiServer } from './api-server.ts';
export { startApiServer, type RunningApi } from './server.ts';
export { LakeData, type LakeDataOptions, type TableStatus } from './data/lake-data.ts';
export { signToken, type TokenRequest } from './auth/sign-token.ts';
export { parseUserId, type Viewer, type Role } from './auth/viewer.ts';
export { DEFAULT_LIMITS, type QueryLimits } from './limits/use-limits.ts';
export { DEFAULT_RESPONSE_CACHE_BYTES } from './cache/response-cache.ts';
export { createApiMetrics, type ApiMetrics } from './metrics/api-metrics.ts';
export { DASHBOARD_PATH } from './dashboard/dashboard-routes.ts';
