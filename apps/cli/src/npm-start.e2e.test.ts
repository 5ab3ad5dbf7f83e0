import { afterEach, describe, expect } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT, itBuilt } from './testing/built-cli.js';

// The real `npm start` of the repository (npm's run-script, its `sh -c`, scripts/start.sh),
// on the already-built tree: CAIRN_START_NO_BUILD skips the install and the build, so a
// start takes seconds. `npm test` builds before it tests; a bare jest run on an unbuilt
// tree skips these tests rather than building inside them.
const ROOT = REPO_ROOT;

let root: string | undefined;
let npm: ChildProcess | undefined;
let gatewayPid: number | undefined;

afterEach(() => {
  // A failed assertion must not leave a gateway behind: npm started its own process group.
  for (const pid of [gatewayPid, npm?.pid]) if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGKILL');
  npm = gatewayPid = undefined;
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `promise`, or a rejection naming `what` after `ms` (the timer cleared either way, so jest can exit). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(what: string, ms: number, check: () => boolean): Promise<void> {
  for (const deadline = Date.now() + ms; !check(); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
  }
}

/** Resolves once nothing listens on the port: binding it ourselves succeeds. */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () => server.close(() => resolve(true)));
  });

/** `npm start` on a temp home and an ephemeral port; resolves with the gateway's pid and port from its 'cairn gateway ready' line. */
async function npmStart(): Promise<{ pid: number; port: number; exited: Promise<unknown>; output: () => string }> {
  root = mkdtempSync(join(tmpdir(), 'cairn-npm-start-'));
  npm = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', CAIRN_DATABASE_URL: '', CAIRN_MASTER_KEY: '', CAIRN_START_NO_BUILD: '1', CAIRN_HOME: join(root, 'home'), CAIRN_LISTEN: '127.0.0.1:0', CAIRN_LOG_LEVEL: 'info' },
  });
  const exited = new Promise((resolve) => npm!.on('exit', resolve));
  let output = '';
  const ready = new Promise<{ pid: number; port: number }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      for (const line of output.split('\n')) {
        if (!line.includes('"cairn gateway ready"')) continue;
        const { pid, port } = JSON.parse(line) as { pid: number; port: number };
        resolve({ pid, port });
      }
    };
    npm!.stdout!.on('data', onData);
    npm!.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start exited (${String(code)}) before the gateway was ready: ${output}`)));
  });
  const started = await within(ready, 30_000, "no 'cairn gateway ready'");
  gatewayPid = started.pid;
  return { ...started, exited, output: () => output };
}

describe('npm start', () => {
  itBuilt('SIGTERM to npm stops the gateway: the node process exits and the port is free', async () => {
    const { pid, port, exited, output } = await npmStart();
    expect(await portFree(port)).toBe(false);
    npm!.kill('SIGTERM');
    await within(exited, 15_000, 'npm to exit after SIGTERM');
    await until('the gateway process to exit', 10_000, () => !alive(pid));
    expect(await portFree(port)).toBe(true);
    // The signal itself reached node (npm forwards it to its child, which the execs make the
    // gateway), not only the parent watch of the next test.
    expect(output()).toMatch(/"reason":"SIGTERM","msg":"shutting down"/);
  }, 60_000);

  itBuilt('a SIGKILLed npm (nothing forwards a signal) still stops the gateway: serve --exit-with-parent', async () => {
    const { pid, port, exited } = await npmStart();
    npm!.kill('SIGKILL');
    await exited;
    await until('the orphaned gateway to notice and exit', 10_000, () => !alive(pid));
    expect(await portFree(port)).toBe(true);
  }, 60_000);
});
