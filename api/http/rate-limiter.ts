/**
 * A token bucket per client: each client may spend `perSecond` units a second on average and up to
 * `burst` at once. A request spends one unit when it arrives and, once answered, more for a costly or
 * slow query (http-handler.ts charges a unit per 1,000 of estimated cost or per 5 ms it took, whichever
 * is more) and for one refused before it ran (4: parse, validation and limit errors are what hostile
 * clients send), so a client asking for aggregates or sending floods of bad documents is slowed sooner
 * than one paging through summaries, and every client slows down sooner when the server is busy.
 * Balances may go below zero by such a late charge; the client then waits until the bucket refills to
 * one unit.
 *
 * Buckets live in a bounded LRU: a flood of new client keys evicts idle buckets (a full bucket, which is
 * what a new key gets anyway), not memory.
 */
import { LRUCache } from 'lru-cache';

export interface BucketLimits {
  /** Units refilled per second. */
  perSecond: number;
  /** Most units a bucket holds (what a new client starts with). */
  burst: number;
}

export interface RateLimiterOptions {
  /** Clients with a valid token, keyed by who the token names. @default { perSecond: 100, burst: 200 } */
  authenticated?: BucketLimits;
  /** Requests without a valid token, keyed by remote address (they get 401 or 429). @default { perSecond: 20, burst: 40 } */
  anonymous?: BucketLimits;
  /** Buckets kept. @default 100_000 */
  maxClients?: number;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
}

export const DEFAULT_RATE_LIMITS = { authenticated: { perSecond: 100, burst: 200 }, anonymous: { perSecond: 20, burst: 40 } } as const satisfies Record<string, BucketLimits>;

interface Bucket {
  units: number;
  /** When `units` was last brought up to date, ms. */
  at: number;
}

export type Admission = { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number };

export class RateLimiter {
  private readonly buckets: LRUCache<string, Bucket>;
  private readonly now: () => number;
  readonly authenticated: BucketLimits;
  readonly anonymous: BucketLimits;

  constructor({ authenticated = DEFAULT_RATE_LIMITS.authenticated, anonymous = DEFAULT_RATE_LIMITS.anonymous, maxClients = 100_000, now = Date.now }: RateLimiterOptions = {}) {
    for (const [what, limits] of [['authenticated', authenticated], ['anonymous', anonymous]] as const) {
      if (!(limits.perSecond > 0) || !(limits.burst >= 1)) throw new RangeError(`${what} rate limit: perSecond must be > 0 and burst >= 1`);
    }
    this.authenticated = authenticated;
    this.anonymous = anonymous;
    this.buckets = new LRUCache({ max: maxClients });
    this.now = now;
  }

  /** Spend one unit of `key`'s bucket if it has one; otherwise say when it will. */
  admit(key: string, limits: BucketLimits): Admission {
    const bucket = this.refilled(key, limits);
    if (bucket.units >= 1) {
      bucket.units -= 1;
      return { admitted: true };
    }
    return { admitted: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.units) / limits.perSecond)) };
  }

  /** Spend `units` more of `key`'s bucket (after the work they stand for), going below zero if need be. */
  charge(key: string, limits: BucketLimits, units: number): void {
    if (units > 0) this.refilled(key, limits).units -= units;
  }

  private refilled(key: string, limits: BucketLimits): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { units: limits.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    bucket.units = Math.min(limits.burst, bucket.units + ((now - bucket.at) / 1000) * limits.perSecond);
    bucket.at = now;
    return bucket;
  }
}
