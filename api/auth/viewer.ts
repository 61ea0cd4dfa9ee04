/**
 * Who is asking: the verified claims of a request's token, reduced to what the API decides on. An
 * analyst reads everything; a user reads only the rows of its own user_id, aggregates included.
 */

export type Role = 'analyst' | 'user';

export type Viewer = { readonly role: 'analyst'; readonly subject: string | undefined } | { readonly role: 'user'; readonly userId: number };

/** Claims that verify cryptographically but do not describe a viewer (unknown role, bad sub). */
export class InvalidClaimsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidClaimsError';
  }
}

/** A user id as tokens carry it in `sub`: a decimal string of a positive safe integer. */
export function parseUserId(text: string): number | undefined {
  if (!/^[1-9]\d{0,15}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The viewer of verified claims: `role` analyst|user, and for users `sub` = their user id. */
export function viewerFromClaims(claims: Readonly<Record<string, unknown>>): Viewer {
  const role = claims.role;
  const sub = claims.sub;
  if (role === 'analyst') return { role, subject: typeof sub === 'string' ? sub : undefined };
  if (role === 'user') {
    const userId = typeof sub === 'string' ? parseUserId(sub) : undefined;
    if (userId === undefined) throw new InvalidClaimsError('a user token needs sub = the user id (a positive integer)');
    return { role, userId };
  }
  throw new InvalidClaimsError(`role must be analyst or user`);
}

/**
 * The user id a query may read: for an analyst the one it asked for (undefined: everyone); for a user
 * always its own, and `null` when it asked for someone else's, which callers answer with no rows (an
 * error would tell the user that the other id exists).
 */
export function scopedUserId(viewer: Viewer, requested: number | undefined): number | undefined | null {
  if (viewer.role === 'analyst') return requested;
  if (requested !== undefined && requested !== viewer.userId) return null;
  return viewer.userId;
}
