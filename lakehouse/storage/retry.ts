/**
 * A small retry loop with exponential backoff, for failures a client library does not retry itself
 * (the Azure SDK's own policy, for one, skips 408, 429, 502 and 504).
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Total attempts, the first included (1 = no retry). */
  readonly attempts: number;
  /** Delay before the first retry; doubles with each further retry. */
  readonly baseDelayMs: number;
  /** Upper bound of any one delay. */
  readonly maxDelayMs: number;
}

/** Runs `fn`, retrying while `shouldRetry(error)` holds and attempts remain; rethrows the last error. */
export async function withRetries<T>(fn: () => Promise<T>, shouldRetry: (error: unknown) => boolean, policy: RetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= policy.attempts || !shouldRetry(error)) throw error;
      await sleep(backoffMs(attempt, policy));
    }
  }
}

/** Delay after failed attempt `attempt` (1-based): exponential, capped, with jitter in [50%, 100%]. */
export function backoffMs(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // Jitter spreads out clients that failed together (a throttled burst) so they do not retry in step.
  return Math.round(ceiling * (0.5 + Math.random() / 2));
}
