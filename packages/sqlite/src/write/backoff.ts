export interface RetryPolicy {
  /** Attempts in all to take the write lock, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How long one attempt lets SQLite itself wait for the lock (its busy handler) before the
   * coordinator backs off asynchronously. better-sqlite3 is synchronous, so this wait blocks
   * the event loop: keep it short, and let the async backoff between attempts carry the rest
   * of the budget.
   */
  lockWaitMs: number;
}

/**
 * About 5 s of patience in all (20 × up to 100 ms inside SQLite, plus the jittered backoff),
 * comparable to the connection's busy_timeout, but the event loop is never blocked for more
 * than 100 ms at a time.
 */
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 20, baseDelayMs: 2, maxDelayMs: 500, lockWaitMs: 100 };

/** Exponential backoff with full jitter, capped: two processes that collided do not collide again in lockstep. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling) + 1;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
