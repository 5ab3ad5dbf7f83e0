import type { RuntimePaths, GatewaySettings } from '@cairn/config';
import { openCrudStore, type CrudStore } from '@cairn/crud';
import { ensurePrivateDirectory } from '@cairn/sqlite';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { openDatabaseProbe } from './readiness-probe.js';
import { runStartupRecovery, type StartupRecoveryReport } from './startup-recovery.js';
import type { ReadinessProbe } from '../http/readiness.js';

/** Everything a running gateway holds open on its runtime home. */
export interface GatewayRuntime {
  paths: RuntimePaths;
  settings: GatewaySettings;
  store: CrudStore;
  readiness: ReadinessProbe;
  /** What startup recovery found and fixed. */
  recovery: StartupRecoveryReport;
  close(): Promise<void>;
}

/**
 * Opens a runtime home for serving: the home directory (0700), gateway.db (migrated to head;
 * a schema newer than this build is refused before anything is written) and the readiness
 * probe's read-only connection. Startup recovery runs before the runtime is returned, so
 * no client ever sees a read model a crash left inconsistent.
 */
export async function openRuntime(options: RuntimeOptions = {}): Promise<GatewayRuntime> {
  const { paths, settings } = resolveRuntime(options);
  ensurePrivateDirectory(paths.home);
  const store = await openCrudStore({
    path: paths.gatewayDb,
    synchronous: settings.storage.synchronous,
    busyTimeoutMs: settings.storage.busy_timeout_ms,
  });
  let open = true;
  try {
    const recovery = await runStartupRecovery(store);
    const probe = await openDatabaseProbe(paths.gatewayDb, () => open);
    return {
      paths,
      settings,
      store,
      readiness: probe.probe,
      recovery,
      close: async () => {
        open = false;
        await probe.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
