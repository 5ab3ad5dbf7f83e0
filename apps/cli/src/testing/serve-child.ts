import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { spawnTs } from '@cairn/tooling/child';

/** The `cairn` entry point, run from its sources by the CLI's end-to-end tests. */
export const CAIRN_MAIN = join(import.meta.dirname, '..', 'main.ts');

export interface ServeChild {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` from the listening line. */
  url: string;
  /** Everything printed on stdout up to the listening line. */
  stdout: string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `cairn serve --listen 127.0.0.1:0` in a child process; resolves once it prints its listening line (30 s at most). */
export async function serveChild(env: NodeJS.ProcessEnv): Promise<ServeChild> {
  const child = spawnTs(CAIRN_MAIN, ['serve', '--listen', '127.0.0.1:0'], { env });
  let stdout = '';
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no listening line within 30s; stderr: ${stderr}`));
    }, 30_000);
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stderr}`)));
  });
  return {
    child,
    url,
    stdout,
    stop: () => {
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exit;
    },
  };
}

/**
 * `count` gateways (`cairn serve` children) started at the same instant on one PostgreSQL URL,
 * each with a home of its own under `root` (`<root>/gw-<i>`: settings and key files stay per
 * machine) and the shared parts given once: `CAIRN_DATABASE_URL`, the master key every one of
 * them must hold (`CAIRN_MASTER_KEY`), and `extraEnv`. Resolves once all print their listening
 * line; if one fails, the others are stopped and the failure rethrown. For the multi-gateway
 * tests (racing migrations, concurrent appends and claims).
 */
export async function servePostgresChildren(options: {
  count: number;
  databaseUrl: string;
  masterKey: string;
  root: string;
  extraEnv?: NodeJS.ProcessEnv;
}): Promise<{ children: ServeChild[]; stopAll(): Promise<Array<number | null>> }> {
  const started = await Promise.allSettled(
    Array.from({ length: options.count }, (_, i) =>
      serveChild({
        CAIRN_HOME: join(options.root, `gw-${i}`),
        CAIRN_DATABASE_URL: options.databaseUrl,
        CAIRN_MASTER_KEY: options.masterKey,
        CAIRN_LOG_LEVEL: 'silent',
        CAIRN_LISTEN: '',
        ...options.extraEnv,
      }),
    ),
  );
  const children = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(children.map((c) => c.stop()));
    throw failed.reason;
  }
  return { children, stopAll: () => Promise.all(children.map((c) => c.stop())) };
}
