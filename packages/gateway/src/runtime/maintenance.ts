import { existsSync } from 'node:fs';
import { gatewayMigrations, assertSchemaCompatible } from '@cairn/migration';
import { openSqliteDatabase, type ModeChange } from '@cairn/sqlite';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';
import { openGatewayStore, prepareRuntimeHome } from './startup.js';
import { migratePostgres, postgresMigrationStatus } from '../postgres/migrate-postgres.js';
import { preparePostgresHome } from '../postgres/prepare-postgres-home.js';
import { schemaLabel } from '../postgres/postgres-target.js';

export interface MigrationStatus {
  database: string;
  exists: boolean;
  currentVersion: number;
  latestVersion: number;
  pending: number;
}

/** What `cairn migrate --status` shows; opens nothing for writing. */
export async function migrationStatus(options: RuntimeOptions = {}): Promise<MigrationStatus> {
  const { paths, backend } = resolveRuntime(options);
  if (backend.kind === 'postgres') return postgresMigrationStatus(backend);
  const latestVersion = gatewayMigrations.migrations.length;
  if (!existsSync(paths.gatewayDb)) {
    return { database: paths.gatewayDb, exists: false, currentVersion: 0, latestVersion, pending: latestVersion };
  }
  const reader = await openSqliteDatabase({ path: paths.gatewayDb, readonly: true });
  try {
    const { currentVersion } = await assertSchemaCompatible(reader, gatewayMigrations);
    return { database: paths.gatewayDb, exists: true, currentVersion, latestVersion, pending: latestVersion - currentVersion };
  } finally {
    await reader.destroy();
  }
}

export interface MigrateReport {
  /** gateway.db's path, or the PostgreSQL schema and server (URL redacted). */
  database: string;
  applied: Array<{ version: number; name: string }>;
  version: number;
  /** Permissions tightened on the way (the home and its files; never loosened). */
  permissionChanges: ModeChange[];
}

/**
 * Migrates gateway.db (on PostgreSQL: the gateway schema, see `migratePostgres`) to head
 * (what `serve` also does at start) and reports what ran. The
 * same checks as a start come first: the home hardened, then `quick_check` (unless
 * `storage.startup_check` is off) and the schema fingerprint of the version found, so a
 * damaged or hand-edited file is refused before a migration touches it.
 */
export async function migrateRuntime(options: RuntimeOptions = {}): Promise<MigrateReport> {
  const { paths, settings, backend } = resolveRuntime(options);
  if (backend.kind === 'postgres') {
    const permissionChanges = await preparePostgresHome(paths, settings, backend, options.log);
    return { database: schemaLabel(backend, 'gateway'), ...(await migratePostgres(backend)), permissionChanges };
  }
  const permissionChanges = await prepareRuntimeHome(paths, settings, { log: options.log, which: ['gateway'] });
  const store = await openGatewayStore(paths, settings);
  try {
    return { database: paths.gatewayDb, applied: [...store.migration.applied], version: store.migration.toVersion, permissionChanges };
  } finally {
    await store.close();
  }
}

/** `cairn backup` lives in its own file (temp name, checked copy, refusal of a bad home). */
export { backupRuntime } from './backup-runtime.js';
