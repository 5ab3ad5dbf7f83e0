import type { GatewaySettings, RuntimePaths } from '@cairn/config';
import { openCrudStore, type SqliteCrudStore, type OpenCrudStoreOptions } from '@cairn/crud';
import { gatewayMigrations, keystoreMigrations } from '@cairn/migration';
import type { ModeChange } from '@cairn/sqlite';
import { hardenRuntimeHome } from './harden-home.js';
import type { RuntimeLog } from './runtime-options.js';
import { assertSchemaAsMigrated, explainStartupFailure, preflightDatabase } from './startup-checks.js';

/** Logs one permission change at warn: an operator should know their home was touched. */
export function modeChangeLogger(log: RuntimeLog | undefined): (change: ModeChange) => void {
  return (change) => log?.warn({ path: change.path, from: change.from, to: change.to }, 'tightened permissions');
}

/**
 * The part of every start that comes before any database is opened for use: the home
 * hardened (each change logged, links refused), then each database of `which` checked
 * (`quick_check` unless `storage.startup_check` is off, schema version and fingerprint).
 * Returns the permission changes made.
 */
export async function prepareRuntimeHome(
  paths: RuntimePaths,
  settings: GatewaySettings,
  options: { log?: RuntimeLog; which: ReadonlyArray<'keystore' | 'gateway'> },
): Promise<ModeChange[]> {
  const changes = hardenRuntimeHome(paths);
  changes.forEach(modeChangeLogger(options.log));
  const checks = { quickCheck: settings.storage.startup_check === 'quick' };
  // keystore.db first, like the open itself: a bad keystore stops the start before gateway.db is looked at.
  if (options.which.includes('keystore')) await preflightDatabase(paths.keystoreDb, keystoreMigrations, checks);
  if (options.which.includes('gateway')) await preflightDatabase(paths.gatewayDb, gatewayMigrations, checks);
  return changes;
}

/**
 * gateway.db's store, migrated to head, with a failure that crud reports as a bare
 * `storage_failed` given back its file and reason, and the schema checked again against the
 * fingerprint of the new version when migrations ran.
 */
export async function openGatewayStore(
  paths: RuntimePaths,
  settings: GatewaySettings,
  extra: Pick<OpenCrudStoreOptions, 'journal' | 'checkpoints'> = {},
): Promise<SqliteCrudStore> {
  let store: SqliteCrudStore;
  try {
    store = await openCrudStore({
      path: paths.gatewayDb,
      synchronous: settings.storage.synchronous,
      busyTimeoutMs: settings.storage.busy_timeout_ms,
      archiveDir: paths.archiveDir,
      ...extra,
    });
  } catch (error) {
    throw explainStartupFailure(error, paths.gatewayDb);
  }
  try {
    if (store.migration.applied.length > 0) await assertSchemaAsMigrated(store.sqlite.dataSource, paths.gatewayDb, gatewayMigrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
