/**
 * The API's node:http request handler, the edge every request crosses before yoga:
 *
 * 1. routing by exact path: the GraphQL endpoint, the public health endpoints and the dashboard's page
 *    and files (dashboard/dashboard-routes.ts); anything else is 404 (yoga alone would answer GraphQL at
 *    any path ending in /graphql);
 * 2. authentication of every GraphQL request (the GraphiQL page in development aside) and a per-client
 *    rate limit (rate-limiter.ts), both before the body is read: a request without a valid token gets
 *    401 (or 429 when its address sent too many) and never reaches parsing;
 * 3. a POSTed body must be JSON and at most `maxBodyBytes` (415 and 413 otherwise, before any parsing);
 * 4. the GraphQL response cache in front of yoga.
 *
 * The cache: a POST is looked up by (versions of the indexed tables now served, viewer, URL, Accept
 * header, body bytes): the body holds the query text, variables and operation name, and any table
 * version change changes the key, so an answer is never older than what an uncached request would get.
 * On a miss, yoga answers; the answer is kept when use-cache-verdict.ts says the operation may be cached
 * and ran without errors, the status is 200, and the table versions did not move meanwhile.
 *
 * Why in front of yoga and not as a yoga plugin (such as @graphql-yoga/plugin-response-cache): a cached
 * answer then costs no fetch-API Request/Response objects, no request parsing, validation or envelop
 * hooks, which on a 2-core machine is the difference between ~1,700 and ~4,000 answers/s (README,
 * "Performance"); and our invalidation is by table version, not by entity ids and TTLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiServer } from './api-server.ts';
import { viewerOfHeader, type TokenVerifier } from './auth/verify-token.ts';
import type { Viewer } from './auth/viewer.ts';
import type { CacheVerdict } from './cache/use-cache-verdict.ts';
import type { ResponseCache } from './cache/response-cache.ts';
import { isDashboardPath, type DashboardHandler } from './dashboard/dashboard-routes.ts';
import type { LakeData } from './data/lake-data.ts';
import type { RateLimiter } from './http/rate-limiter.ts';
import { readBody } from './http/read-body.ts';
import { INTERNAL_ERROR, METHOD_NOT_ALLOWED, NOT_FOUND, PAYLOAD_TOO_LARGE, tooManyRequests, UNAUTHORIZED, UNSUPPORTED_MEDIA_TYPE, type PlainResponse } from './http/responses.ts';
import type { QueryCostContext } from './limits/use-limits.ts';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpHandlerOptions {
  yoga: ApiServer;
  data: LakeData;
  /** The verifier yoga's auth plugin uses too (it remembers verified tokens, so yoga's check is a lookup). */
  verify: TokenVerifier;
  /** Undefined: every request goes to yoga. */
  cache: ResponseCache | undefined;
  /** Undefined: no rate limit. */
  limiter: RateLimiter | undefined;
  graphqlEndpoint: string;
  /** Paths served without a token, by yoga (health, readiness). */
  publicEndpoints: readonly string[];
  /** Whether the GraphiQL page is served (development). */
  graphiql: boolean;
  maxBodyBytes: number;
  /** Why a request was refused (401, 429), for the log. */
  onRejected?: (reason: string) => void;
  /** Serves /dashboard and its files (no token: the page asks /graphql with one). Undefined: 404. */
  dashboard?: DashboardHandler;
}

/** Estimated query cost per rate-limit unit charged after execution (an aggregate weighs about 2,000). */
const COST_PER_UNIT = 1000;
/** Milliseconds in yoga per rate-limit unit charged after the answer. */
const MS_PER_UNIT = 5;
/** Units charged, beyond the one of admission, for a request refused before it ran. */
const REFUSED_UNITS = 4;

/** The rest of a request's rate-limit charge, once it is known what it cost. */
interface Budget {
  charge(units: number): void;
}

/** The part of the key that says who asks: a user's answers are scoped to its id; analysts all see the same. */
const viewerKey = (viewer: Viewer) => (viewer.role === 'user' ? `user:${viewer.userId}` : 'analyst');
/** Whose rate-limit bucket a request spends from. */
const clientKey = (viewer: Viewer | undefined, req: IncomingMessage) =>
  viewer === undefined ? `address:${req.socket.remoteAddress ?? ''}` : viewer.role === 'user' ? `user:${viewer.userId}` : `analyst:${viewer.subject ?? ''}`;

const isJson = (contentType: string | undefined) => /^application\/(graphql-response\+)?json\s*(;|$)/i.test(contentType ?? '');

function send(res: ServerResponse, response: PlainResponse): void {
  res.writeHead(response.status, response.headers.flat());
  res.end(response.body);
}

export function createHttpHandler({ yoga, data, verify, cache, limiter, graphqlEndpoint, publicEndpoints, graphiql, maxBodyBytes, onRejected, dashboard }: HttpHandlerOptions): HttpHandler {
  const forward = async (req: IncomingMessage, body: string, budget: Budget | undefined, verdict?: CacheVerdict): Promise<PlainResponse> => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const context: QueryCostContext & { cacheVerdict?: CacheVerdict } = { queryCost: { value: -1 }, ...(verdict ? { cacheVerdict: verdict } : {}) };
    const started = performance.now();
    // A fixed origin: the path is what routes, never the client's Host header.
    const response = await yoga.fetch(`http://localhost${req.url}`, { method: 'POST', headers, body }, context);
    const answer: PlainResponse = { status: response.status, headers: [...response.headers], body: Buffer.from(await response.arrayBuffer()) };
    // The rest of the charge: the estimated cost of what ran or the time it took, whichever is more (a
    // busy server takes longer for everyone, so its clients slow down sooner), and for what did not run
    // (refused by parsing, validation or a limit) a fixed extra: that is what hostile clients send.
    const cost = context.queryCost!.value;
    const byTime = Math.floor((performance.now() - started) / MS_PER_UNIT);
    budget?.charge(Math.max(byTime, Math.floor(Math.max(0, cost) / COST_PER_UNIT)) + (cost < 0 ? REFUSED_UNITS : 0));
    return answer;
  };

  const answer = async (req: IncomingMessage, viewer: Viewer, body: string, budget: Budget | undefined): Promise<PlainResponse> => {
    // Tables that cannot be read: yoga answers (a masked error), nothing is cached.
    const versions = cache && (await data.versions().catch(() => undefined));
    if (!cache || versions === undefined) return forward(req, body, budget);
    const key = `${versions}\n${viewerKey(viewer)}\n${req.url}\n${req.headers.accept ?? ''}\n${body}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const verdict: CacheVerdict = { cacheable: false };
    const fresh = await forward(req, body, budget, verdict);
    // Versions that moved during execution: the answer may mix them; it is right now, but not under this key.
    if (verdict.cacheable && fresh.status === 200 && (await data.versions()) === versions) cache.set(key, fresh);
    return fresh;
  };

  const graphql = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const viewer = await viewerOfHeader(req.headers.authorization ?? null, verify, onRejected);
    const client = clientKey(viewer, req);
    const limits = limiter && (viewer ? limiter.authenticated : limiter.anonymous);
    let budget: Budget | undefined;
    if (limiter && limits) {
      const admission = limiter.admit(client, limits);
      if (!admission.admitted) {
        onRejected?.(`rate limit: ${client}`);
        return send(res, tooManyRequests(admission.retryAfterSeconds));
      }
      budget = { charge: (units) => limiter.charge(client, limits, units) };
    }
    if (!viewer) return send(res, UNAUTHORIZED);
    // GET queries (the query in the URL, bounded by node's header size): yoga parses them, its auth plugin
    // finds the token verified already.
    if (req.method === 'GET') return void (await yoga(req, res));
    if (!isJson(req.headers['content-type'])) return send(res, UNSUPPORTED_MEDIA_TYPE);
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) return send(res, PAYLOAD_TOO_LARGE(maxBodyBytes));
    send(res, await answer(req, viewer, body.toString('utf8'), budget));
  };

  return (req, res) => {
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (publicEndpoints.includes(pathname!)) return void yoga(req, res);
    if (dashboard && isDashboardPath(pathname!)) return dashboard(req, res, pathname!);
    if (pathname !== graphqlEndpoint) return send(res, NOT_FOUND);
    if (req.method !== 'GET' && req.method !== 'POST') return send(res, METHOD_NOT_ALLOWED);
    // The GraphiQL page (a browser asking for HTML) needs no token; the queries it sends do.
    if (graphiql && req.method === 'GET' && /\btext\/html\b/.test(req.headers.accept ?? '')) return void yoga(req, res);
    graphql(req, res).catch(() => {
      // Only yoga's own failures get here (it masks resolver errors itself): nothing internal to show.
      if (!res.headersSent) send(res, INTERNAL_ERROR);
      else res.destroy();
    });
  };
}
