/** The answers the HTTP layer gives itself, before yoga: each a JSON GraphQL error with a stable code and no detail. */
import type { CachedResponse as PlainResponse } from '../cache/response-cache.ts';
import { ErrorCode } from '../errors.ts';

export type { PlainResponse };

const JSON_TYPE = ['content-type', 'application/json; charset=utf-8'] as const;

function errorResponse(status: number, message: string, code: string, headers: readonly (readonly [string, string])[] = []): PlainResponse {
  return { status, headers: [JSON_TYPE, ...headers], body: Buffer.from(JSON.stringify({ errors: [{ message, extensions: { code } }] })) };
}

export const UNAUTHORIZED = errorResponse(401, 'Unauthorized: a valid bearer token is required', ErrorCode.unauthenticated, [['www-authenticate', 'Bearer']]);
export const NOT_FOUND = errorResponse(404, 'Not found: GraphQL is served at /graphql', 'NOT_FOUND');
export const PAYLOAD_TOO_LARGE = (maxBytes: number) => errorResponse(413, `the request body is larger than ${maxBytes} bytes`, ErrorCode.badRequest, [['connection', 'close']]);
export const UNSUPPORTED_MEDIA_TYPE = errorResponse(415, 'POST a JSON body (content-type: application/json)', ErrorCode.badRequest);
export const METHOD_NOT_ALLOWED = errorResponse(405, 'GraphQL is served with GET and POST', ErrorCode.badRequest, [['allow', 'GET, POST']]);
export const INTERNAL_ERROR = errorResponse(500, 'Unexpected error.', 'INTERNAL_SERVER_ERROR');
export const tooManyRequests = (retryAfterSeconds: number) => errorResponse(429, 'Too many requests: slow down', ErrorCode.rateLimited, [['retry-after', String(retryAfterSeconds)]]);
