/**
 * The errors the API means to show to clients. Each carries a stable `extensions.code`; anything else a
 * resolver throws is masked by yoga into "Unexpected error." (code INTERNAL_SERVER_ERROR), so no
 * message, path or stack of an internal failure reaches a client.
 */
import { createGraphQLError } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';

export const ErrorCode = {
  /** An argument is wrong (page size, cursor, date range); the message says which and why. */
  badUserInput: 'BAD_USER_INPUT',
  /** The token is valid but its role may not use this field. */
  forbidden: 'FORBIDDEN',
  /** Missing, malformed, expired or foreign token (HTTP 401). */
  unauthenticated: 'UNAUTHENTICATED',
  /** The query is deeper than allowed. */
  depthLimit: 'QUERY_TOO_DEEP',
  /** The query's estimated cost is above the limit. */
  costLimit: 'QUERY_TOO_COSTLY',
  /** The document selects the same response names again and again. */
  repeatedSelections: 'QUERY_TOO_REPETITIVE',
  /** A mutation or subscription: the API serves queries only (HTTP 400). */
  operationNotSupported: 'OPERATION_NOT_SUPPORTED',
  /** The request body is not JSON, or not a GraphQL request (HTTP 400). */
  badRequest: 'BAD_REQUEST',
  /** The client sent too many requests (HTTP 429, Retry-After says when to try again). */
  rateLimited: 'RATE_LIMITED',
} as const;

export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

export function apiError(message: string, code: ErrorCodeValue): GraphQLError {
  return createGraphQLError(message, { extensions: { code } });
}

/** A clear error about an argument the client sent. */
export function badUserInput(message: string): GraphQLError {
  return apiError(message, ErrorCode.badUserInput);
}

export function forbidden(message: string): GraphQLError {
  return apiError(message, ErrorCode.forbidden);
}
