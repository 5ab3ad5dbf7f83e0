// Shared by the gateway benches (not a bench itself: no `.bench.ts` suffix): a gateway started
// in-process on a temp SQLite home, a minimal JSON-RPC client over a real WebSocket, and the
// figures every bench reports.
//
// The client is deliberately thin, since it runs on the same event loop as the server (the
// bench measures one process): a request is one `JSON.stringify` + `send`; an incoming frame
// is parsed only when it is an answer or a notification some caller waits for (a substring
// test first), so most notifications cost the client only the WebSocket frame decoding.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { round } from '@cairn/tooling/bench';
import type { CrudStore } from '@cairn/crud';
import { startGateway, type RunningGateway } from '../src/index.js';

export interface BenchGateway {
  gateway: RunningGateway;
  dir: string;
  close(): Promise<void>;
}

/** `startGateway` on a fresh temp home: 127.0.0.1 port 0, silent log, no wake poll (nothing else writes). */
export async function startBenchGateway(prefix: string, settings: Record<string, unknown>): Promise<BenchGateway> {
  const dir = mkdtempSync(join(tmpdir(), `cairn-bench-${prefix}-`));
  const gateway = await startGateway({
    env: {},
    home: join(dir, 'home'),
    listen: { host: '127.0.0.1', port: 0 },
    notifyPollMs: 0,
    settings: { log_level: 'silent', ...settings },
  });
  return {
    gateway,
    dir,
    async close() {
      try {
        await gateway.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

interface Answer {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data?: { code?: string } };
}

/** One connection: requests by id, and waiters for notifications whose raw text contains a marker. */
export class BenchClient {
  readonly socket: WebSocket;
  readonly #pending = new Map<number, (answer: Answer) => void>();
  /** marker (e.g. a turn id) → resolve; checked only on frames containing `watch`. */
  readonly #waiting = new Map<string, (at: number) => void>();
  #watch: string | undefined;
  #nextId = 1;
  notifications = 0;
  closed: number | undefined;

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      // Answers carry `"id":`; notifications do not (JSON-RPC 2.0, and ours put `method` first).
      if (text.startsWith('{"jsonrpc":"2.0","method"')) {
        this.notifications++;
        if (this.#watch === undefined || !text.includes(this.#watch)) return;
        const params = (JSON.parse(text) as { params: { turn_id?: string } }).params;
        const done = params.turn_id === undefined ? undefined : this.#waiting.get(params.turn_id);
        if (done) {
          this.#waiting.delete(params.turn_id!);
          done(performance.now());
        }
        return;
      }
      const answer = JSON.parse(text) as Answer;
      const resolve = this.#pending.get(answer.id);
      if (!resolve) throw new Error(`unexpected frame: ${text.slice(0, 200)}`);
      this.#pending.delete(answer.id);
      resolve(answer);
    });
    socket.on('close', (code) => {
      this.closed = code;
      for (const resolve of this.#pending.values()) resolve({ id: 0, error: { code: 0, message: `socket closed (${code})` } });
      this.#pending.clear();
    });
  }

  static open(url: string, token: string, watch?: string): Promise<BenchClient> {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => {
        const client = new BenchClient(socket);
        client.#watch = watch;
        resolve(client);
      });
      socket.once('error', reject);
    });
  }

  /** The result; throws on an error answer (a bench must not count failures as work). */
  call<T>(method: string, params: unknown): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, (answer) => {
        if (answer.error) reject(new Error(`${method}: ${answer.error.data?.code ?? answer.error.code} ${answer.error.message}`));
        else resolve(answer.result as T);
      });
      this.socket.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Resolves with `performance.now()` when a watched notification for `turnId` arrives. Register before the request that causes it. */
  awaitTurn(turnId: string, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(turnId);
        reject(new Error(`no ${this.#watch} for ${turnId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiting.set(turnId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  close(): Promise<void> {
    if (this.closed !== undefined) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close(1000);
    });
  }
}

/** The p-quantile of unsorted values (ms), as `summarize` in @cairn/tooling/bench. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!, 3);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Peak `process.memoryUsage.rss()` while `work` runs, sampled every `everyMs` (`.rss()`: `memoryUsage()` also walks the heap spaces, ~10x the cost). */
export async function withRssPeak<T>(work: () => Promise<T>, everyMs = 10): Promise<{ value: T; peak_rss_mb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, everyMs);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, peak_rss_mb: round(peak / 2 ** 20, 1) };
  } finally {
    clearInterval(timer);
  }
}

/** Commits and coordinator jobs `work` caused (the store's write coordinator: group commit), and the process CPU time it took (user + system, ms). */
export async function withCommits<T>(store: CrudStore, work: () => Promise<T>): Promise<{ value: T; commits: number; jobs: number; cpu_ms: number }> {
  const stats = store.sqlite!.coordinator.stats;
  const [commits, jobs] = [stats.commits, stats.jobs];
  const cpu = process.cpuUsage();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, commits: stats.commits - commits, jobs: stats.jobs - jobs, cpu_ms: (used.user + used.system) / 1000 };
}

/** A full GC between phases when the process runs with --expose-gc (run.mjs passes it). */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
