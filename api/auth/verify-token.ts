/**
 * Verifying bearer tokens: HS256 only, signature, issuer, audience, `exp` and `iat` required; an `iat` in
 * the future (beyond a minute of clock skew) is refused, and so is a lifetime (`exp - iat`) longer than
 * the role's maximum (24 h for users, 30 days for analysts by default), so a leaked token cannot be good
 * for years.
 *
 * A token that verified is remembered by its exact text for at most `cacheTtlMs` (and never past its own
 * expiry), so a client sending the same token with every request costs one HMAC a minute, not one per
 * request (WebCrypto's HMAC is a large part of a small request's time). Only successes are remembered,
 * at most `cacheSize` of them, least recently used out first.
 */
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { DEFAULT_TOKEN_LIFETIMES, type JwtSettings, type TokenLifetimes } from '../../config/api-settings.ts';
import { hmacKey } from './token-key.ts';
import { InvalidClaimsError, viewerFromClaims, type Viewer } from './viewer.ts';

/** Resolves with the viewer of a valid token; rejects (with the reason, for logs only) otherwise. */
export type TokenVerifier = (token: string) => Promise<Viewer>;

/** Clock skew allowed between the issuer and this server for `iat`. */
const IAT_SKEW_SECONDS = 60;

export interface VerifierOptions {
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  /** Verified tokens remembered. @default 10_000 */
  cacheSize?: number;
  /** How long a verified token is remembered, ms (never beyond its expiry). @default 60_000 */
  cacheTtlMs?: number;
  /** @default DEFAULT_TOKEN_LIFETIMES */
  maxLifetimes?: TokenLifetimes;
}

export function createTokenVerifier(jwt: JwtSettings, { now = Date.now, cacheSize = 10_000, cacheTtlMs = 60_000, maxLifetimes = DEFAULT_TOKEN_LIFETIMES }: VerifierOptions = {}): TokenVerifier {
  const key = hmacKey(jwt.secret, 'verify');
  // Entries carry their own deadline (the injected clock decides, so tests can move time).
  const verified = new LRUCache<string, { viewer: Viewer; until: number }>({ max: cacheSize });
  return async (token) => {
    const at = now();
    const known = verified.get(token);
    if (known) {
      if (at < known.until) return known.viewer;
      verified.delete(token);
    }
    const { payload } = await jwtVerify(token, await key, {
      algorithms: ['HS256'],
      issuer: jwt.issuer,
      audience: jwt.audience,
      requiredClaims: ['exp', 'iat'],
      currentDate: new Date(at),
    });
    const { exp, iat } = payload as { exp: number; iat: number };
    if (iat > at / 1000 + IAT_SKEW_SECONDS) throw new InvalidClaimsError('iat is in the future');
    const viewer = viewerFromClaims(payload);
    if (exp - iat > maxLifetimes[viewer.role]) throw new InvalidClaimsError(`a ${viewer.role} token may live at most ${maxLifetimes[viewer.role]} s; this one lives ${exp - iat} s`);
    // The same rule as jose's: a token is expired from its exp second on.
    verified.set(token, { viewer, until: Math.min(exp * 1000, at + cacheTtlMs) });
    return viewer;
  };
}

/** Longer header values are no token of ours (a signed fitlake token is about 250 characters). */
const MAX_TOKEN_LENGTH = 4096;

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null): string | undefined {
  if (!header || header.length > MAX_TOKEN_LENGTH) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  return m?.[1];
}

/**
 * The viewer of an `Authorization` header's bearer token, or undefined when there is none or it does not
 * verify; `onRejected` hears why (for the log only: every refusal looks the same to the client).
 */
export async function viewerOfHeader(header: string | null, verify: TokenVerifier, onRejected?: (reason: string) => void): Promise<Viewer | undefined> {
  const token = bearerToken(header);
  if (token === undefined) {
    onRejected?.('no bearer token');
    return undefined;
  }
  try {
    return await verify(token);
  } catch (e) {
    onRejected?.((e as Error).message);
    return undefined;
  }
}
