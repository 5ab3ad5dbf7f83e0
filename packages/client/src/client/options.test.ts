import { describe, expect, it } from '@jest/globals';
import { reconnectDelay, resolveOptions } from './options.js';

const base = resolveOptions({ url: 'ws://x/rpc', token: 't' }).reconnect;

describe('reconnectDelay', () => {
  it('has the documented defaults', () => {
    expect(base).toEqual({ initialDelayMs: 250, maxDelayMs: 30_000, factor: 2, jitter: true, maxAttempts: Number.POSITIVE_INFINITY });
  });

  it('grows by factor per attempt up to maxDelayMs without jitter', () => {
    const options = { ...base, jitter: false, initialDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => reconnectDelay(n, options))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('with full jitter waits a uniform time in [0, ceiling)', () => {
    const options = { ...base, initialDelayMs: 100 };
    expect(reconnectDelay(3, options, () => 0)).toBe(0);
    expect(reconnectDelay(3, options, () => 0.5)).toBe(400);
    expect(reconnectDelay(3, options, () => 0.999_999)).toBe(799);
    for (let i = 0; i < 100; i++) {
      const delay = reconnectDelay(20, options);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(30_000);
    }
  });
});
