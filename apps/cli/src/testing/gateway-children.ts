import { spawn, type ChildProcess } from 'node:child_process';
import { onLines } from '@cairn/tooling/child';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRuntime } from '@cairn/gateway';
import { BUILT_MAIN } from './built-cli.js';

/** A built `cairn serve` child whose every stdout line is kept (the logs are pino JSON lines there). */
export interface BuiltGateway {
  child: ChildProcess;
  url: string;
  rpcUrl: string;
  lines: string[];
  /** Resolves with the exit code, or the signal that killed it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM and wait. */
  stop(): Promise<number | NodeJS.Signals | null>;
  /** The first stdout line `match` finds, waiting for it up to `timeoutMs` (pino writes asynchronously: a log line may follow the listening line). */
  line(match: RegExp, timeoutMs?: number): Promise<string>;
}

/** A home with a `gateway-settings.toml` of the given TOML text (mode 0700 as serve wants it). */
export function prepareHome(home: string, settingsToml: string): string {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'gateway-settings.toml'), settingsToml, { mode: 0o600 });
  return home;
}

/**
 * `node apps/cli/dist/main.js serve --listen 127.0.0.1:0` with only `env` (plus PATH and HOME);
 * resolves once it prints its listening line (30 s at most).
 */
export async function serveBuilt(env: NodeJS.ProcessEnv): Promise<BuiltGateway> {
  const child = spawn(process.execPath, [BUILT_MAIN, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: process.env.HOME, CAIRN_LISTEN: '', ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within 30s; stderr: ${stderr}`));
    }, 30_000);
    onLines(child.stdout!, (line) => {
      lines.push(line);
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited early with ${code}: ${stderr}`));
    });
  });
  return {
    child,
    url,
    rpcUrl: `${url.replace(/^http/, 'ws')}/rpc`,
    lines,
    exited,
    line: async (match, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => match.test(l));
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`no stdout line matching ${match} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * An operator token issued straight through the store of the runtime at `home` (on
 * PostgreSQL, `databaseUrl` and the shared master key: tokens live in the shared database),
 * with the runtime opened in this process and closed again.
 */
export async function issueOperatorToken(options: { home: string; databaseUrl?: string; masterKey?: string }): Promise<string> {
  // The keystore reads the master key from the process environment only.
  const previous = process.env.CAIRN_MASTER_KEY;
  if (options.masterKey !== undefined) process.env.CAIRN_MASTER_KEY = options.masterKey;
  else delete process.env.CAIRN_MASTER_KEY; // the home's keystore.key, as the child (which gets no CAIRN_MASTER_KEY) uses
  try {
    const runtime = await openRuntime({
      home: options.home,
      env: options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl },
      settings: { log_level: 'silent' },
    });
    try {
      return (await runtime.store.tokens.issue({ kind: 'operator', label: 'test operator' })).secret;
    } finally {
      await runtime.close();
    }
  } finally {
    if (previous === undefined) delete process.env.CAIRN_MASTER_KEY;
    else process.env.CAIRN_MASTER_KEY = previous;
  }
}
