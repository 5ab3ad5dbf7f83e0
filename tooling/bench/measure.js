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

/**
 * Runs every side over the same items in interleaved chunks (the order rotating per chunk), so
 * that background load on a shared machine hits all sides alike; each side's figures come from
 * its own chunks only. The first `warmup` items warm every side and are not measured; the run
 * stops at the last item or after `maxMs` per side. Closes every side at the end.
 * @template T
 * @param {Array<{ name: string, step: (item: T, index: number) => unknown, close: () => Promise<void> }>} sides
 * @param {readonly T[]} items
 * @param {{ warmup: number, chunk: number, maxMs: number }} options
 */
export async function race(sides, items, { warmup, chunk: chunkSize, maxMs }) {
  const latencies = new Map(sides.map((s) => [s.name, []]));
  const elapsed = new Map(sides.map((s) => [s.name, 0]));
  for (let i = 0; i < warmup; i++) for (const side of sides) await side.step(items[i], i);
  const started = performance.now();
  for (let from = warmup, chunk = 0; from < items.length && performance.now() - started < maxMs * sides.length; from += chunkSize, chunk++) {
    const to = Math.min(items.length, from + chunkSize);
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(k + chunk) % sides.length];
      const own = latencies.get(side.name);
      const t0 = performance.now();
      for (let i = from; i < to; i++) {
        const t = performance.now();
        await side.step(items[i], i);
        own.push(performance.now() - t);
      }
      elapsed.set(side.name, elapsed.get(side.name) + performance.now() - t0);
    }
  }
  for (const side of sides) await side.close();
  return new Map(sides.map((s) => [s.name, summarize(latencies.get(s.name), elapsed.get(s.name))]));
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
