import { describe, expect, it } from '@jest/globals';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('holds twice the rate, refills continuously, and keeps keys apart', () => {
    let now = 0;
    const limiter = new RateLimiter(10, () => now);
    for (let i = 0; i < 20; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(100); // one request per 100 ms at 10/s
    expect(limiter.take('b')).toBe(0);
    now = 100;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });

  it('a refused request takes nothing from the bucket', () => {
    let now = 0;
    const limiter = new RateLimiter(1, () => now);
    expect(limiter.take('x')).toBe(0);
    expect(limiter.take('x')).toBe(0);
    for (let i = 0; i < 5; i++) expect(limiter.take('x')).toBe(1000);
    now = 1000;
    expect(limiter.take('x')).toBe(0);
  });
});
