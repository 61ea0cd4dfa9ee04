/**
 * The API's node:http request handler: the GraphQL response cache in front of yoga.
 *
 * A POST of JSON to the GraphQL endpoint (declared length within the body limit) is looked up by
 * (versions of the indexed tables now served, viewer, URL, Accept header, body bytes): the body holds the
 * query text, variables and operation name, and any table version change changes the key, so an answer
 * is never older than what an uncached request would get. The bearer token is verified first, on every
 * request: a request without a valid token never reads the cache and goes to yoga, which answers 401.
 * On a miss, yoga answers; the answer is kept when use-cache-verdict.ts says the operation may be cached
 * and ran without errors, the status is 200, and the table versions did not move meanwhile.
 *
 * Why in front of yoga and not as a yoga plugin (such as @graphql-yoga/plugin-response-cache): a cached
 * answer then costs no fetch-API Request/Response objects, no request parsing, validation or
 * envelop hooks, which on a 2-core machine is the difference between ~1,700 and ~4,000 answers/s
 * (README, "Performance"); and our invalidation is by table version, not by entity ids and TTLs.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiServer } from './yoga.ts';
import { bearerToken, type TokenVerifier } from './auth/verify-token.ts';
import type { Viewer } from './auth/viewer.ts';
import type { CacheVerdict } from './cache/use-cache-verdict.ts';
import type { CachedResponse, ResponseCache } from './cache/response-cache.ts';
import type { LakeData } from './data/lake-data.ts';

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpHandlerOptions {
  yoga: ApiServer;
  data: LakeData;
  /** The verifier yoga's auth plugin uses too (it remembers verified tokens, so yoga's check of a miss is a lookup). */
  verify: TokenVerifier;
  cache: ResponseCache;
  graphqlEndpoint: string;
  /** Larger declared bodies go to yoga unread (it answers 413). */
  maxBodyBytes: number;
}

/** The part of the key that says who asks: a user's answers are scoped to its id; analysts all see the same. */
const viewerKey = (viewer: Viewer) => (viewer.role === 'user' ? `user:${viewer.userId}` : 'analyst');

export function createHttpHandler({ yoga, data, verify, cache, graphqlEndpoint, maxBodyBytes }: HttpHandlerOptions): HttpHandler {
  const forward = async (req: IncomingMessage, body: string, verdict?: CacheVerdict): Promise<CachedResponse> => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const response = await yoga.fetch(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: 'POST', headers, body }, verdict ? { cacheVerdict: verdict } : {});
    return { status: response.status, headers: [...response.headers], body: Buffer.from(await response.arrayBuffer()) };
  };

  const answer = async (req: IncomingMessage, body: string): Promise<CachedResponse> => {
    const token = bearerToken(req.headers.authorization ?? null);
    let viewer: Viewer | undefined;
    if (token !== undefined) viewer = await verify(token).catch(() => undefined);
    // No valid token: yoga's auth plugin answers (401) and logs why.
    if (!viewer) return forward(req, body);
    // Tables that cannot be read: yoga answers (a masked error), nothing is cached.
    const versions = await data.versions().catch(() => undefined);
    if (versions === undefined) return forward(req, body);
    const key = `${versions}\n${viewerKey(viewer)}\n${req.url}\n${req.headers.accept ?? ''}\n${body}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const verdict: CacheVerdict = { cacheable: false };
    const fresh = await forward(req, body, verdict);
    // Versions that moved during execution: the answer may mix them; it is right now, but not under this key.
    if (verdict.cacheable && fresh.status === 200 && (await data.versions()) === versions) cache.set(key, fresh);
    return fresh;
  };

  const send = (res: ServerResponse, response: CachedResponse) => {
    res.writeHead(response.status, response.headers.flat());
    res.end(response.body);
  };

  return (req, res) => {
    const length = Number(req.headers['content-length']);
    const eligible =
      req.method === 'POST' && req.url === graphqlEndpoint && /^application\/json\b/i.test(req.headers['content-type'] ?? '') && Number.isSafeInteger(length) && length <= maxBodyBytes;
    if (!eligible) {
      void yoga(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      answer(req, Buffer.concat(chunks).toString('utf8')).then(
        (response) => send(res, response),
        () => {
          // Only yoga's own failures get here (it masks resolver errors itself): nothing internal to show.
          if (!res.headersSent) send(res, { status: 500, headers: [['content-type', 'application/json; charset=utf-8']], body: Buffer.from('{"errors":[{"message":"Unexpected error."}]}') });
          else res.destroy();
        },
      );
    });
  };
}
