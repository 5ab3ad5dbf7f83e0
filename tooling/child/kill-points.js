// Crash tests as a class: run a TypeScript child under strace, list every file-system step it
// takes between two markers (each pwrite, fsync, rename, link, unlink, ...), then run it again
// once per step with SIGKILL injected at that step (strace -e inject=<syscall>:signal=SIGKILL:
// when=N). The signal is delivered on entry to the syscall, so the step itself never happens:
// N = 1..all covers every state the files can be left in between two steps.
//
// Only the child's main thread is traced (no -f): that is where Cairn's synchronous file
// calls and SQLite run, and it keeps strace's per-thread counters unambiguous. When ptrace
// may attach to a running process, strace attaches once the child has loaded its modules
// ("attach" mode: fast, and nothing before the markers is counted); otherwise strace starts
// the child ("launch" mode) and steps before the begin marker are counted too.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { clearTimeout, setTimeout } from 'node:timers';
import { BEGIN, END, MODE_ENV, READY } from './kill-point-markers.js';

const STRACE = process.env.CAIRN_STRACE || 'strace';
const require = createRequire(import.meta.url);

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

export { beginKillPoints, endKillPoints } from './kill-point-markers.js';

let mode;

/**
 * Throws (never skips) when strace is missing or cannot inject here: the crash tests are the
 * proof that every home starts again, and a silent skip would hide that the proof did not run.
 * Also decides the mode (attach when ptrace may attach to a non-child here).
 */
export function assertStraceUsable() {
  const probe = spawnSync(STRACE, ['-qq', '-o', '/dev/null', '-e', 'inject=write:signal=SIGKILL:when=1', '/bin/sh', '-c', 'echo probe'], {
    encoding: 'utf8',
  });
  if (probe.error) {
    throw new Error(`the crash tests need strace (${STRACE}: ${probe.error.message}); install it, e.g. apt-get install strace`);
  }
  if (probe.signal !== 'SIGKILL' && probe.status !== 128 + 9) {
    throw new Error(`strace cannot trace and inject here (is ptrace allowed?): status ${probe.status}, ${probe.stderr.trim()}`);
  }
  // CAIRN_KILL_POINTS_MODE=launch|attach forces a mode (to exercise the other one).
  const forced = process.env.CAIRN_KILL_POINTS_MODE;
  mode ??= forced === 'launch' || forced === 'attach' ? forced : canAttach() ? 'attach' : 'launch';
  return mode;
}

function canAttach() {
  const sleeper = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    const attach = spawnSync(STRACE, ['-o', '/dev/null', '-e', 'trace=none', '-p', String(sleeper.pid)], {
      encoding: 'utf8',
      timeout: 300, // attached strace waits for the tracee: a timeout after "attached" means it worked
    });
    return /attached/.test(attach.stderr ?? '');
  } finally {
    sleeper.kill('SIGKILL');
  }
}

/**
 * @typedef {{ syscall: string, occurrence: number, call: string }} KillPoint
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }} RunResult
 * @typedef {{ syscalls?: string[], within?: string[], env?: NodeJS.ProcessEnv, timeoutMs?: number }} KillPointOptions
 */

/**
 * Runs the child under strace, without injecting, and lists the steps of its main thread
 * between the markers, each with the occurrence number strace's `when=` counts. `within`:
 * keep only steps on files under these directories (`-y` names each descriptor's file), not
 * the runtime's pipe and eventfd writes. `args` may be a function of the attempt, for a child
 * that needs a fresh directory each run.
 *
 * A syscall is a usable kill point only if its count before the begin marker is the same in
 * every run (in launch mode node's own `write`s while loading modules are not): two runs
 * decide, and a syscall whose count differs is dropped and named in `unstable`.
 * @returns {Promise<{ points: KillPoint[], unstable: string[], run: RunResult }>}
 */
export async function listKillPoints(script, args, options = {}) {
  const runs = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    const { run, trace } = await runTraced(script, typeof args === 'function' ? args(attempt) : args, undefined, options);
    const parsed = parseTrace(trace, options.within);
    if (!parsed) throw new Error(`no "${BEGIN}" marker in the child's trace; stdout: ${run.stdout}\nstderr: ${run.stderr}`);
    runs.push({ run, parsed });
  }
  const [first, second] = runs.map((r) => r.parsed);
  const names = new Set([...first.startCounts.keys(), ...second.startCounts.keys()]);
  const unstable = [...names].filter((name) => first.startCounts.get(name) !== second.startCounts.get(name)).sort();
  return { points: second.points.filter((p) => !unstable.includes(p.syscall)), unstable, run: runs[1].run };
}

/**
 * Runs the child with SIGKILL injected at `point`. `landed` is the step the kill hit
 * (undefined if the child got through), to check that the numbering still names that step.
 * @param {KillPoint} point
 * @returns {Promise<RunResult & { landed: KillPoint | undefined }>}
 */
export async function runKilledAt(script, args, point, options = {}) {
  const { run, trace } = await runTraced(script, args, point, options);
  return { ...run, landed: run.signal === 'SIGKILL' ? parseTrace(trace, undefined)?.killed : undefined };
}

/**
 * Thins runs of the same step on the same file descriptor (a backup writing page after page,
 * a WAL filling up) to their first and last step: the states between two pages of one copy
 * differ only in how far it got, and "nothing of it yet" and "all but the last page" stand for
 * the run. Every other step is kept.
 * @param {KillPoint[]} points
 * @returns {KillPoint[]}
 */
export function collapseRuns(points) {
  const key = (p) => `${p.syscall} ${/^[a-z0-9_]+\((\d+)/.exec(p.call)?.[1] ?? p.call}`;
  return points.filter((point, i) => i === 0 || i === points.length - 1 || key(points[i - 1]) !== key(point) || key(points[i + 1]) !== key(point));
}

/**
 * True for a step on a SQLite `-shm` file: the WAL index is memory-mapped and rebuilt from the
 * WAL by the next opener, so a kill at it leaves the same files as a kill at the step before.
 * @param {KillPoint} point
 */
export function isSharedMemoryStep(point) {
  return /-shm[>"]/.test(point.call);
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
  const current = assertStraceUsable();
  const bundle = await bundleFor(script);
  const dir = mkdtempSync(join(tmpdir(), 'cairn-strace-'));
  const log = join(dir, 'trace');
  // -y prints the path behind each descriptor, which is what `within` matches.
  const straceArgs = ['-y', '-o', log, '-e', `trace=${(options.syscalls ?? FILE_STEP_SYSCALLS).join(',')}`];
  if (point) straceArgs.push('-e', `inject=${point.syscall}:signal=SIGKILL:when=${point.occurrence}`);
  try {
    const run = current === 'attach' ? await runAttached(bundle, args, straceArgs, options) : await runLaunched(bundle, args, straceArgs, options);
    return { run, trace: readFileSync(log, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runLaunched(bundle, args, straceArgs, options) {
  const child = spawnNode([STRACE, '-qq', ...straceArgs, '--'], bundle, args, { env: options.env ?? {} });
  // strace re-raises the signal that killed its child, or exits 128 + its number.
  return collect(child, options, (code, signal) => signal ?? (code === 128 + 9 ? 'SIGKILL' : null));
}

function runAttached(bundle, args, straceArgs, options) {
  const child = spawnNode([], bundle, args, { env: { ...(options.env ?? {}), [MODE_ENV]: 'attach' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let tracer;
  let ready = false;
  child.stdout?.on('data', (chunk) => {
    if (ready || !String(chunk).includes(READY)) return;
    ready = true;
    tracer = spawn(STRACE, [...straceArgs, '-p', String(child.pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    tracer.stderr.setEncoding('utf8').on('data', (d) => {
      if (said.includes('attached')) return;
      said += d;
      if (said.includes('attached')) child.stdin.write('go\n');
    });
    tracer.on('exit', () => {
      if (!said.includes('attached')) child.kill('SIGKILL');
    });
  });
  const exited = collect(child, options, (_code, signal) => signal);
  // The trace is complete once strace has seen its tracee die.
  return exited.then((run) => (tracer && tracer.exitCode === null ? new Promise((resolve) => tracer.on('exit', () => resolve(run))) : run));
}

function spawnNode(prefix, bundle, args, options) {
  const [command, ...rest] = [...prefix, process.execPath, bundle, ...args];
  return spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'], ...options, env: { ...process.env, NODE_OPTIONS: '', ...(options.env ?? {}) } });
}

const bundles = new Map();

/**
 * The child as one ES module, built from the sources (workspace packages through their
 * `@cairn/source` condition, as tsx would) with esbuild, the compiler tsx itself uses;
 * third-party packages stay external, imported by absolute path. A kill run then starts in
 * under half the time of a tsx child, which loads some 500 files through loader hooks. It is
 * written under the package's node_modules/.cache (one file per child), rebuilt once per test
 * process.
 * @param {string} script
 */
function bundleFor(script) {
  if (!bundles.has(script)) bundles.set(script, buildBundle(script));
  return bundles.get(script);
}

async function buildBundle(script) {
  const esbuild = createRequire(require.resolve('tsx'))('esbuild');
  let pkg = dirname(script);
  while (!existsSync(join(pkg, 'package.json')) && dirname(pkg) !== pkg) pkg = dirname(pkg);
  const outDir = join(pkg, 'node_modules', '.cache', 'cairn-kill-points');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `${basename(script, '.ts')}-${createHash('sha256').update(script).digest('hex').slice(0, 8)}.mjs`);
  const built = await esbuild.build({
    entryPoints: [script],
    outfile,
    write: false,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@cairn/source'],
    tsconfig: require.resolve('../tsconfig/tsx.json'),
    logLevel: 'error',
    plugins: [externalThirdParty],
  });
  // One file per fixture, replaced whole (rename), so test processes bundling the same child
  // at once never run a half-written one.
  const temp = `${outfile}.${process.pid}.tmp`;
  writeFileSync(temp, built.outputFiles[0].contents);
  renameSync(temp, outfile);
  return outfile;
}

/** Bundles workspace packages, leaves every other package to node, resolved from the file that imports it (pnpm is strict). */
const externalThirdParty = {
  name: 'external-third-party',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.path.startsWith('@cairn/') || args.path.startsWith('node:') || args.pluginData?.inner) return undefined;
      const resolved = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: { inner: true } });
      return resolved.errors.length > 0 ? undefined : { path: resolved.path, external: true };
    });
  },
};

function collect(child, options, signalOf) {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal: signalOf(code, signal), stdout, stderr });
    });
  });
}

/** Entry lines look like `write(1<pipe:[9]>, "...", 5) = 5` or `fsync(7</h/k.db> <unfinished ...>`, perhaps after a pid. */
const ENTRY = /^(?:\d+\s+)?([a-z0-9_]+)\(/;

function parseTrace(text, within) {
  const lines = text.split('\n');
  const begin = lines.findIndex((line) => ENTRY.test(line) && line.includes(`"${BEGIN}\\n"`));
  if (begin < 0) return undefined;
  const seen = new Map();
  const points = [];
  let killed;
  let inside = false;
  for (const [index, line] of lines.entries()) {
    const entry = ENTRY.exec(line);
    if (!entry) continue;
    const syscall = entry[1];
    const occurrence = (seen.get(syscall) ?? 0) + 1;
    seen.set(syscall, occurrence);
    const call = line.slice(entry[0].length - syscall.length - 1, 200).trim();
    if (index === begin) inside = true;
    else if (line.includes(`"${END}\\n"`)) inside = false;
    else if (inside && relevant(call, within)) points.push({ syscall, occurrence, call });
    if (/= \?$/.test(line)) killed = { syscall, occurrence, call };
  }
  return { points, killed, startCounts: countsBefore(lines, begin) };
}

function relevant(call, within) {
  return !within || within.some((dir) => call.includes(`${dir}/`));
}

function countsBefore(lines, end) {
  const counts = new Map();
  for (const line of lines.slice(0, end)) {
    const entry = ENTRY.exec(line);
    if (entry) counts.set(entry[1], (counts.get(entry[1]) ?? 0) + 1);
  }
  return counts;
}
