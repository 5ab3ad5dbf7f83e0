import type { CairnEnv } from '@cairn/config';
import { startGateway } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';

export interface ServeOptions {
  listen?: string;
  /** Stop when the process that started this one goes away (`npm start` passes it). */
  exitWithParent?: boolean;
}

/** How often `--exit-with-parent` looks at the parent pid: a second is cheap and soon enough for a port to free. */
const PARENT_POLL_MS = 1000;

/**
 * Starts the gateway and keeps it running until SIGINT/SIGTERM (or, with `exitWithParent`,
 * until its parent process is gone), then closes it gracefully (in-flight requests finish,
 * queued writes commit, databases close) and exits 0.
 */
export async function serveCommand(env: CairnEnv, global: GlobalOptions, options: ServeOptions): Promise<void> {
  const effectiveEnv: CairnEnv = { ...env, ...(options.listen !== undefined ? { listen: options.listen } : {}) };
  // Read before the gateway starts: a parent that dies during the start is still noticed.
  const parent = process.ppid;
  const gateway = await startGateway({ env: effectiveEnv, ...(global.home !== undefined ? { home: global.home } : {}) });
  await new Promise<void>((resolve) => {
    let watch: NodeJS.Timeout | undefined;
    const stop = (reason: NodeJS.Signals | 'parent_exited') => {
      gateway.app.log.info({ reason }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      clearInterval(watch);
      void gateway.close().then(resolve, (error: unknown) => {
        gateway.app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (options.exitWithParent) {
      // A parent that was SIGKILLed cannot forward a signal: the orphan is re-parented (to
      // init or a subreaper), so a changed ppid is the only trace it leaves. Without this a
      // killed `npm start` would leave the gateway holding the port.
      watch = setInterval(() => {
        if (process.ppid !== parent) stop('parent_exited');
      }, PARENT_POLL_MS);
      if (process.ppid !== parent) stop('parent_exited');
    }
    // Printed only once a signal closes the gateway gracefully: a supervisor (or a test) that
    // stops it the moment it sees this line gets a clean shutdown, not Node's default kill.
    const home = gateway.runtime.paths.home;
    if (global.json) process.stdout.write(`${JSON.stringify({ listening: gateway.url, host: gateway.host, port: gateway.port, home, pid: process.pid })}\n`);
    else process.stdout.write(`cairn gateway listening on ${gateway.url} (home ${home})\n`);
  });
}
