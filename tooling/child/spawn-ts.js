// Starts a TypeScript file as a real child process, resolving sibling packages to their
// sources (the "@cairn/source" export condition) through tsx, so crash and multi-process
// tests run against the code under test without a build.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { clearTimeout, setTimeout } from 'node:timers';

const require = createRequire(import.meta.url);
const tsxLoader = require.resolve('tsx');
// One tsconfig for every package, so entity sources get legacy decorators whichever
// package's test starts the child.
const tsconfig = require.resolve('../tsconfig/tsx.json');

/**
 * @param {string} script absolute path of a .ts file
 * @param {string[]} [args]
 * @param {import('node:child_process').SpawnOptions} [options]
 */
export function spawnTs(script, args = [], options = {}) {
  return spawnTsWith([], script, args, options);
}

/**
 * The same, with `prefix` (a command and its arguments, e.g. strace's) run in front of node.
 * @param {string[]} prefix
 * @param {string} script
 * @param {string[]} [args]
 * @param {import('node:child_process').SpawnOptions} [options]
 */
export function spawnTsWith(prefix, script, args = [], options = {}) {
  const node = [process.execPath, '--conditions=@cairn/source', '--import', tsxLoader, script, ...args];
  const [command, ...rest] = [...prefix, ...node];
  return spawn(command, rest, {
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
    env: { ...process.env, NODE_OPTIONS: '', TSX_TSCONFIG_PATH: tsconfig, ...(options.env ?? {}) },
  });
}

/**
 * Runs a script to completion and collects its output.
 * @returns {Promise<{ code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }>}
 */
export function runTs(script, args = [], options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawnTs(script, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr?.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Runs a crash-test child and SIGKILLs it at a random moment: every complete line it prints
 * goes to `onLine`; once `ready()` says it has acknowledged something, the kill follows after
 * a random delay below `maxDelayMs`. A child that never gets ready is killed after
 * `giveUpMs`. Resolves on 'close', after the lines still buffered (the pipe is drained by
 * then: everything the child wrote before dying is seen).
 * @param {string} script
 * @param {string[]} args
 * @param {{ onLine: (line: string) => void, ready: () => boolean, maxDelayMs: number, giveUpMs?: number }} options
 * @returns {Promise<{ signal: NodeJS.Signals | null, stderr: string }>}
 */
/**
 * Calls `onLine` with each complete line a child writes to `stream` (its stdout, say), as it
 * arrives; a last line without a newline is passed on when the stream ends.
 * @param {import('node:stream').Readable} stream
 * @param {(line: string) => void} onLine
 */
export function onLines(stream, onLine) {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      onLine(line);
    }
  });
  stream.on('end', () => {
    if (buffer !== '') onLine(buffer);
    buffer = '';
  });
}

export function runUntilKilled(script, args, { onLine, ready, maxDelayMs, giveUpMs = 30_000 }) {
  return new Promise((resolve, reject) => {
    const child = spawnTs(script, args);
    let stderr = '';
    let armed = false;
    const giveUp = setTimeout(() => child.kill('SIGKILL'), giveUpMs);
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    onLines(child.stdout, (line) => {
      onLine(line);
      if (!armed && ready()) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * maxDelayMs));
      }
    });
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(giveUp);
      resolve({ signal, stderr });
    });
  });
}
