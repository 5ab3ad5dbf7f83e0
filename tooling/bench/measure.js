// Small helpers shared by benchmarks. Every load loop is bounded both in count and in time.
import { performance } from 'node:perf_hooks';

/**
 * Runs `fn` up to `iterations` times or until `maxMs` has passed, recording each call's
 * latency. Returns throughput and percentiles.
 * @param {() => unknown | Promise<unknown>} fn
 * @param {{ iterations: number, maxMs: number, warmup?: number }} options
 */
export async function measure(fn, { iterations, maxMs, warmup = 0 }) {
  for (let i = 0; i < warmup; i++) await fn();
  const latencies = [];
  const start = performance.now();
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn();
    latencies.push(performance.now() - t0);
    if (performance.now() - start > maxMs) break;
  }
  const elapsedMs = performance.now() - start;
  return summarize(latencies, elapsedMs);
}

/** @param {number[]} latencies ms @param {number} elapsedMs */
export function summarize(latencies, elapsedMs) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return {
    count: sorted.length,
    elapsed_ms: round(elapsedMs),
    per_s: round((sorted.length / elapsedMs) * 1000),
    p50_ms: round(at(0.5), 4),
    p99_ms: round(at(0.99), 4),
  };
}

export function round(value, digits = 2) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Prints the final line every benchmark ends with. @param {{ bench: string, ratio: number }} result */
export function report(result) {
  console.log(JSON.stringify(result));
}
