// Crash tests as a class: run a TypeScript child under strace, list every file-system step it
// takes between two markers (each write, fsync, rename, link, unlink, ...), then run it again
// once per step with SIGKILL injected at that step (strace -e inject=<syscall>:signal=SIGKILL:
// when=N). The signal is delivered on entry to the syscall, so the step itself never happens:
// N = 1..all covers every state the files can be left in between two steps.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { clearTimeout, setTimeout } from 'node:timers';
import { join } from 'node:path';
import { spawnTsWith } from './spawn-ts.js';

const STRACE = process.env.CAIRN_STRACE || 'strace';

/** The syscalls by which Cairn and SQLite change files. */
export const FILE_STEP_SYSCALLS = [
  'write',
  'pwrite64',
  'fchmod',
  'fsync',
  'fdatasync',
  'ftruncate',
  'rename',
  'renameat',
  'renameat2',
  'link',
  'linkat',
  'unlink',
  'unlinkat',
];

const BEGIN = 'kill-points-begin';
const END = 'kill-points-end';

/**
 * For the child: steps after `markKillPoints('begin')` and before `markKillPoints('end')` are
 * the ones the parent kills at. Written with write(2) on fd 1 so the marker is one syscall.
 * @param {'begin' | 'end'} which
 */
export function markKillPoints(which) {
  writeSync(1, `${which === 'begin' ? BEGIN : END}\n`);
}

/**
 * Throws (never skips) when strace is missing or cannot inject here: the crash tests are the
 * proof that every home starts again, and a silent skip would hide that the proof did not run.
 */
export function assertStraceUsable() {
  const probe = spawnSync(STRACE, ['-f', '-qq', '-o', '/dev/null', '-e', 'inject=write:signal=SIGKILL:when=1', '/bin/sh', '-c', 'echo probe'], {
    encoding: 'utf8',
  });
  if (probe.error) {
    throw new Error(`the crash tests need strace (${STRACE}: ${probe.error.message}); install it, e.g. apt-get install strace`);
  }
  if (probe.signal !== 'SIGKILL' && probe.status !== 128 + 9) {
    throw new Error(`strace cannot trace and inject here (is ptrace allowed?): status ${probe.status}, ${probe.stderr.trim()}`);
  }
}

/**
 * @typedef {{ syscall: string, occurrence: number, call: string }} KillPoint
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }} RunResult
 * @typedef {{ syscalls?: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number }} KillPointOptions
 */

/**
 * Runs the child once under strace, without injecting, and lists the steps of its main thread
 * between the markers, each with its occurrence number counted from the process start (what
 * strace's `when=` counts).
 * @returns {Promise<{ points: KillPoint[], run: RunResult }>}
 */
export async function listKillPoints(script, args, options = {}) {
  const { run, trace } = await runTraced(script, args, undefined, options);
  const parsed = parseTrace(trace);
  if (!parsed) throw new Error(`no "${BEGIN}" marker in the child's trace; stdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return { points: parsed.points, run };
}

/**
 * Runs the child with SIGKILL injected at `point`. `landed` is the step the kill actually hit
 * (undefined if the child got through): a step of another run's numbering may shift by a few
 * when the child is not deterministic, and the caller can report that.
 * @param {KillPoint} point
 * @returns {Promise<RunResult & { landed: KillPoint | undefined }>}
 */
export async function runKilledAt(script, args, point, options = {}) {
  const { run, trace } = await runTraced(script, args, point, options);
  return { ...run, landed: run.signal === 'SIGKILL' ? parseTrace(trace)?.killed : undefined };
}

/**
 * Thins runs of the same step on the same file descriptor (a backup writing page after page,
 * a WAL filling up) to their first, second and last step: the states between two pages of one
 * copy differ only in how far it got, so these three stand for the run. Every other step is kept.
 * @param {KillPoint[]} points
 * @returns {KillPoint[]}
 */
export function collapseRuns(points) {
  const key = (p) => `${p.syscall} ${/^[a-z0-9_]+\((\d+)/.exec(p.call)?.[1] ?? p.call}`;
  return points.filter((point, i) => {
    const same = (j) => j >= 0 && j < points.length && key(points[j]) === key(point);
    if (!same(i - 1) || !same(i + 1)) return true; // first or last of its run (or alone)
    return !same(i - 2); // the second
  });
}

/**
 * Runs `fn` over `items`, `concurrency` at a time, starting none after `deadline` (epoch ms).
 * @template T
 * @param {T[]} items
 * @param {number} concurrency
 * @param {number} deadline
 * @param {(item: T, index: number) => Promise<void>} fn
 * @returns {Promise<number>} how many ran
 */
export async function forEachBounded(items, concurrency, deadline, fn) {
  let next = 0;
  let ran = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const index = next++;
      await fn(items[index], index);
      ran++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return ran;
}

async function runTraced(script, args, point, options) {
  const syscalls = options.syscalls ?? FILE_STEP_SYSCALLS;
  const dir = mkdtempSync(join(tmpdir(), 'cairn-strace-'));
  const log = join(dir, 'trace');
  const prefix = [STRACE, '-f', '-qq', '-o', log, '-e', `trace=${syscalls.join(',')}`];
  if (point) prefix.push('-e', `inject=${point.syscall}:signal=SIGKILL:when=${point.occurrence}`);
  try {
    const run = await new Promise((resolve, reject) => {
      const child = spawnTsWith(prefix, script, args, { env: options.env ?? {} });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
      child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        // strace re-raises the signal that killed the child, or exits 128 + its number.
        resolve({ code, signal: signal ?? (code === 128 + 9 ? 'SIGKILL' : null), stdout, stderr });
      });
    });
    return { run, trace: readFileSync(log, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Entry lines look like `1234  write(1, "...", 5) = 5` or `1234  fsync(7 <unfinished ...>`. */
const ENTRY = /^(\d+)\s+([a-z0-9_]+)\(/;
const RESUMED = /^\d+\s+<\.\.\. [a-z0-9_]+ resumed>/;

function parseTrace(text) {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => ENTRY.test(line) && line.includes(`"${BEGIN}\\n"`));
  if (begin < 0) return undefined;
  const main = ENTRY.exec(lines[begin])[1];
  const seen = new Map();
  const points = [];
  let killed;
  let inside = false;
  for (const [index, line] of lines.entries()) {
    const entry = ENTRY.exec(line);
    if (!entry) {
      // A step another thread's trace interrupted finished after all: it was not the kill.
      if (line.startsWith(`${main} `) && RESUMED.test(line) && !line.endsWith('= ?')) killed = undefined;
      continue;
    }
    if (entry[1] !== main) continue;
    const syscall = entry[2];
    const occurrence = (seen.get(syscall) ?? 0) + 1;
    seen.set(syscall, occurrence);
    if (index === begin) inside = true;
    else if (line.includes(`"${END}\\n"`)) inside = false;
    else if (inside) points.push({ syscall, occurrence, call: line.slice(entry[0].length - syscall.length - 1, 160).trim() });
    if (/= \?$|<unfinished \.\.\.>$/.test(line)) killed = { syscall, occurrence, call: line.trim().slice(0, 160) };
  }
  return { points, killed };
}
