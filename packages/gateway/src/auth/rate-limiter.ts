/**
 * Requests per second per token: a token bucket holding `2 × rate`, refilled continuously. A
 * token's connections share one bucket (opening more connections does not buy more requests).
 * Buckets of tokens unseen for a minute are dropped.
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  #sweptAt: number;

  constructor(ratePerSecond: number, now: () => number = () => performance.now()) {
    this.#rate = ratePerSecond;
    this.#capacity = ratePerSecond * 2;
    this.#now = now;
    this.#sweptAt = now();
  }

  /** Takes one request from the key's bucket: 0 when allowed, else the ms until one is. */
  take(key: string): number {
    const now = this.#now();
    if (now - this.#sweptAt > 60_000) this.#sweep(now);
    let bucket = this.#buckets.get(key);
    if (!bucket) this.#buckets.set(key, (bucket = { tokens: this.#capacity, at: now }));
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.#rate);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / this.#rate) * 1000);
  }

  #sweep(now: number): void {
    this.#sweptAt = now;
    for (const [key, bucket] of this.#buckets) if (now - bucket.at > 60_000) this.#buckets.delete(key);
  }
}
