/**
 * The signed-in token: kept in sessionStorage (gone with the tab, never in the URL, never sent anywhere
 * but this server's /graphql). Its claims are read here only to shape the page (which views to show);
 * the server verifies the token on every request and decides what it may read.
 */

const KEY = 'fitlake.dashboard.token';

export type Session = { token: string; role: 'analyst'; subject: string | undefined; expiresAt: number | undefined } | { token: string; role: 'user'; userId: string; expiresAt: number | undefined };

/** Why a token cannot be used, in words for the person who pasted it. */
export class TokenProblem extends Error {}

function claimsOf(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenProblem('That is not a fitlake token: a token has three parts separated by dots. Get one with `fitlake token`.');
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    if (typeof claims !== 'object' || claims === null) throw new Error('not an object');
    return claims as Record<string, unknown>;
  } catch {
    throw new TokenProblem('That is not a fitlake token: its middle part does not decode. Copy the whole output of `fitlake token`.');
  }
}

/** The session of a pasted token, or TokenProblem saying why it cannot be one. */
export function sessionOf(pasted: string, now = Date.now()): Session {
  const token = pasted.trim().replace(/^Bearer\s+/i, '');
  const claims = claimsOf(token);
  const expiresAt = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  if (expiresAt !== undefined && expiresAt <= now) throw new TokenProblem('This token has expired. Get a new one with `fitlake token`.');
  if (claims.role === 'analyst') return { token, role: 'analyst', subject: typeof claims.sub === 'string' ? claims.sub : undefined, expiresAt };
  if (claims.role === 'user' && typeof claims.sub === 'string') return { token, role: 'user', userId: claims.sub, expiresAt };
  throw new TokenProblem('This token has no role the dashboard knows (analyst or user).');
}

export function savedSession(): Session | undefined {
  const token = sessionStorage.getItem(KEY);
  if (!token) return undefined;
  try {
    return sessionOf(token);
  } catch {
    sessionStorage.removeItem(KEY);
    return undefined;
  }
}

export const saveSession = (session: Session) => sessionStorage.setItem(KEY, session.token);
export const forgetSession = () => sessionStorage.removeItem(KEY);
