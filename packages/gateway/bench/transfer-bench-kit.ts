// Shared by ws-upload and ws-download (not a bench itself): the server in a child process
// (`transfer-child.ts`) so its RSS is measured alone, deterministic test files, and RSS sampling
// of the child from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { round } from '@cairn/tooling/bench';

export { writeDeterministicFile } from '../src/testing/transfer-bytes.js';

export interface Child<T> {
  child: ChildProcess;
  info: T;
  /** Resident set of the child now, MiB (VmRSS). */
  rssMb(): number;
  /** CPU time the child has used so far (user + system, every thread), ms. */
  cpuMs(): number;
  /** Samples the child's RSS every `everyMs` while `work` runs: the peak, MiB. */
  peakDuring<R>(work: () => Promise<R>, everyMs?: number): Promise<{ value: R; peak_rss_mb: number }>;
  stop(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts `transfer-child.ts <mode> <dir>` with the same loader the bench runs under; resolves with its first stdout line, parsed. */
export async function startChild<T>(mode: 'cairn' | 'tus', dir: string, env: NodeJS.ProcessEnv = {}): Promise<Child<T>> {
  // CAIRN_BENCH_PROFILE=<dir>: the child writes a V8 CPU profile there when it stops.
  const profile = process.env.CAIRN_BENCH_PROFILE ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.CAIRN_BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--conditions=@cairn/source', '--import', require.resolve('tsx'), join(import.meta.dirname, 'transfer-child.ts'), mode, dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...env, NODE_OPTIONS: '' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`transfer child ${mode} exited with ${code}`)));
  });
  const rssMb = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return round(kb / 1024, 1);
  };
  const cpuMs = () => {
    const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime (fields 14 and 15 of stat(5)), in clock ticks of 1/100 s on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  return {
    child,
    info: JSON.parse(line) as T,
    rssMb,
    cpuMs,
    async peakDuring(work, everyMs = 10) {
      let peak = rssMb();
      const timer = setInterval(() => {
        try {
          peak = Math.max(peak, rssMb());
        } catch {
          // the child may be gone at the very end
        }
      }, everyMs);
      try {
        const value = await work();
        peak = Math.max(peak, rssMb());
        return { value, peak_rss_mb: peak };
      } finally {
        clearInterval(timer);
      }
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export const MiB = 2 ** 20;

/** CPU time this process has used so far (user + system, every thread), ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
