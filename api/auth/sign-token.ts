/** Signing API tokens (`fitlake token`, tests): HS256 JWTs with role, sub, issuer, audience and expiry. */
import { SignJWT } from 'jose';
import type { JwtSettings } from '../../config/api-settings.ts';
import type { Role } from './viewer.ts';
import { hmacKey } from './token-key.ts';

export interface TokenRequest {
  role: Role;
  /** Required for role user: the user whose rows the token may read. */
  userId?: number;
  /** Subject of an analyst token (a name, for logs). @default 'analyst' */
  subject?: string;
  /** Lifetime in seconds. @default 3600 */
  ttlSeconds?: number;
  /** Issue time, ms since the epoch. @default Date.now() */
  now?: number;
  /** Overrides for tests of foreign tokens. */
  issuer?: string;
  audience?: string;
}

/** A signed token for the request; throws RangeError when a user token lacks a valid user id. */
export async function signToken(jwt: JwtSettings, request: TokenRequest): Promise<string> {
  const { role, ttlSeconds = 3600, now = Date.now() } = request;
  if (role === 'user' && (request.userId === undefined || !Number.isSafeInteger(request.userId) || request.userId <= 0)) {
    throw new RangeError('a user token needs a positive integer user id');
  }
  if (!(ttlSeconds > 0)) throw new RangeError('the token lifetime must be positive');
  const iat = Math.floor(now / 1000);
  return new SignJWT({ role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(role === 'user' ? String(request.userId) : (request.subject ?? 'analyst'))
    .setIssuer(request.issuer ?? jwt.issuer)
    .setAudience(request.audience ?? jwt.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + Math.round(ttlSeconds))
    .sign(await hmacKey(jwt.secret, 'sign'));
}
