import { isConnectionError, pgCodeOf } from '../errors.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * Up to 10 attempts, the waits between them growing from a few milliseconds to at most
 * half a second (about 1.5 s in all at worst). Serialization failures under SERIALIZABLE
 * usually clear on the second attempt; ten covers a hot row fought over by a pool's worth
 * of writers.
 */
export const DEFAULT_POSTGRES_RETRY: RetryPolicy = { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 500 };

/** Why an attempt was rolled back and run again. */
export type RetryCause = 'serialization_failure' | 'deadlock' | 'connection_lost';

/** The SQLSTATEs after which PostgreSQL's own advice is: roll back and run the whole transaction again. */
export function retryCauseOf(error: unknown): RetryCause | undefined {
  const code = pgCodeOf(error);
  if (code === '40001') return 'serialization_failure';
  if (code === '40P01') return 'deadlock';
  return undefined;
}

/** A retry cause, counting a connection lost before COMMIT (the server rolled the transaction back). */
export function attemptRetryCause(error: unknown, brokenConnection: boolean): RetryCause | undefined {
  return retryCauseOf(error) ?? (brokenConnection || isConnectionError(error) ? 'connection_lost' : undefined);
}

/** Exponential backoff with full jitter, capped: writers that collided do not collide again in lockstep. */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(Math.random() * ceiling) + 1;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
