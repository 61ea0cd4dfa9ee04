/**
 * Authentication at the HTTP edge: every request to the GraphQL endpoint needs a valid bearer token,
 * checked before the body is parsed. Missing, malformed, badly signed, expired or foreign tokens all get
 * the same HTTP 401 with a JSON GraphQL error and no detail (the reason goes to the log only). The
 * GraphiQL page itself (a browser GET for HTML, development only) is served without a token; the
 * queries it sends need one like any other.
 */
import { shouldRenderGraphiQL, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import { bearerToken, type TokenVerifier } from './verify-token.ts';
import type { Viewer } from './viewer.ts';

const viewers = new WeakMap<Request, Viewer>();

/** The viewer the auth plugin attached to a request; throws when there is none (a wiring bug, masked). */
export function viewerOf(request: Request): Viewer {
  const viewer = viewers.get(request);
  if (!viewer) throw new Error('request reached the GraphQL layer without authentication');
  return viewer;
}

const UNAUTHORIZED_BODY = JSON.stringify({ errors: [{ message: 'Unauthorized: a valid bearer token is required', extensions: { code: ErrorCode.unauthenticated } }] });

export interface AuthOptions {
  verify: TokenVerifier;
  graphqlEndpoint: string;
  /** Whether GraphiQL is served (development). */
  graphiql: boolean;
  /** Why a token was refused, for the log. */
  onRejected?: (reason: string) => void;
}

export function useAuth({ verify, graphqlEndpoint, graphiql, onRejected }: AuthOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== graphqlEndpoint) return;
      if (graphiql && shouldRenderGraphiQL(request)) return;
      const token = bearerToken(request.headers.get('authorization'));
      let viewer: Viewer | undefined;
      if (token === undefined) onRejected?.('no bearer token');
      else {
        try {
          viewer = await verify(token);
        } catch (e) {
          onRejected?.((e as Error).message);
        }
      }
      if (!viewer) {
        endResponse(new fetchAPI.Response(UNAUTHORIZED_BODY, { status: 401, headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' } }));
        return;
      }
      viewers.set(request, viewer);
    },
  };
}
