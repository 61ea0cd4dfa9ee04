/**
 * Authentication inside yoga, for requests that reach it without the HTTP layer (`yoga.fetch`) and as a
 * second line behind it: only the exact GraphQL endpoint and the public health endpoints are served
 * (yoga itself would answer GraphQL at any path ending in /graphql, such as /graphql/ or /x/graphql),
 * and every GraphQL request needs a valid bearer token, checked before the body is parsed. Missing,
 * malformed, badly signed, expired or foreign tokens all get the same HTTP 401 with a JSON GraphQL error
 * and no detail (the reason goes to the log only). The GraphiQL page itself (a browser GET for HTML,
 * development only) is served without a token; the queries it sends need one like any other.
 */
import { shouldRenderGraphiQL, type Plugin } from 'graphql-yoga';
import { NOT_FOUND, UNAUTHORIZED, type PlainResponse } from '../http/responses.ts';
import { viewerOfHeader, type TokenVerifier } from './verify-token.ts';
import type { Viewer } from './viewer.ts';

const viewers = new WeakMap<Request, Viewer>();

/** The viewer the auth plugin attached to a request; throws when there is none (a wiring bug, masked). */
export function viewerOf(request: Request): Viewer {
  const viewer = viewers.get(request);
  if (!viewer) throw new Error('request reached the GraphQL layer without authentication');
  return viewer;
}

export interface AuthOptions {
  verify: TokenVerifier;
  graphqlEndpoint: string;
  /** Paths served without a token (health and readiness). */
  publicEndpoints: readonly string[];
  /** Whether GraphiQL is served (development). */
  graphiql: boolean;
  /** Why a token was refused, for the log. */
  onRejected?: (reason: string) => void;
}

const toFetchResponse = (fetchAPI: { Response: typeof Response }, { status, headers, body }: PlainResponse) => new fetchAPI.Response(new Uint8Array(body), { status, headers: headers as [string, string][] });

export function useAuth({ verify, graphqlEndpoint, publicEndpoints, graphiql, onRejected }: AuthOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (publicEndpoints.includes(url.pathname)) return;
      if (url.pathname !== graphqlEndpoint) {
        endResponse(toFetchResponse(fetchAPI, NOT_FOUND));
        return;
      }
      if (graphiql && shouldRenderGraphiQL(request)) return;
      const viewer = await viewerOfHeader(request.headers.get('authorization'), verify, onRejected);
      if (!viewer) {
        endResponse(toFetchResponse(fetchAPI, UNAUTHORIZED));
        return;
      }
      viewers.set(request, viewer);
    },
  };
}
