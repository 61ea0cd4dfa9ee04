/**
 * Verifying bearer tokens: HS256 only, signature, issuer, audience and expiry (exp is required).
 *
 * A token that verified is remembered (by its exact text) until its own expiry, so a client sending the
 * same token with every request costs one HMAC, not one per request (WebCrypto's HMAC is a large part
 * of a small request's time). Only successes are remembered, at most `cacheSize` of them.
 */
import { jwtVerify } from 'jose';
import type { JwtSettings } from '../../config/api-settings.ts';
import { hmacKey } from './token-key.ts';
import { viewerFromClaims, type Viewer } from './viewer.ts';

/** Resolves with the viewer of a valid token; rejects (with the reason, for logs only) otherwise. */
export type TokenVerifier = (token: string) => Promise<Viewer>;

export interface VerifierOptions {
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  /** Verified tokens remembered. @default 10_000 */
  cacheSize?: number;
}

export function createTokenVerifier(jwt: JwtSettings, { now = Date.now, cacheSize = 10_000 }: VerifierOptions = {}): TokenVerifier {
  const key = hmacKey(jwt.secret, 'verify');
  const verified = new Map<string, { viewer: Viewer; exp: number }>();
  return async (token) => {
    const seconds = now() / 1000;
    const known = verified.get(token);
    if (known) {
      // The same rule as jose's: a token is expired from its exp second on.
      if (seconds < known.exp) return known.viewer;
      verified.delete(token);
    }
    const { payload } = await jwtVerify(token, await key, {
      algorithms: ['HS256'],
      issuer: jwt.issuer,
      audience: jwt.audience,
      requiredClaims: ['exp'],
      currentDate: new Date(now()),
    });
    const viewer = viewerFromClaims(payload);
    if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
    verified.set(token, { viewer, exp: payload.exp! });
    return viewer;
  };
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | null): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ ]+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(header);
  return m?.[1];
}
