import type { CairnEnv } from '@cairn/config';
import { startGateway } from '@cairn/gateway';
import type { GlobalOptions } from '../cli.js';

/**
 * Starts the gateway and keeps it running until SIGINT/SIGTERM, then closes it gracefully
 * (in-flight requests finish, queued writes commit, databases close) and exits 0.
 */
export async function serveCommand(env: CairnEnv, global: GlobalOptions, options: { listen?: string }): Promise<void> {
  const effectiveEnv: CairnEnv = { ...env, ...(options.listen !== undefined ? { listen: options.listen } : {}) };
  const gateway = await startGateway({ env: effectiveEnv, ...(global.home !== undefined ? { home: global.home } : {}) });
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      gateway.app.log.info({ signal }, 'shutting down');
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void gateway.close().then(resolve, (error: unknown) => {
        gateway.app.log.error({ err: error }, 'shutdown failed');
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Printed only once a signal closes the gateway gracefully: a supervisor (or a test) that
    // stops it the moment it sees this line gets a clean shutdown, not Node's default kill.
    process.stdout.write(`cairn gateway listening on ${gateway.url} (home ${gateway.runtime.paths.home})\n`);
  });
}
