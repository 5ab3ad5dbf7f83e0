import { assertSchemaCompatible, gatewayMigrations, runMigrations } from '@cairn/migration';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { assertSchemaAsMigrated } from '../runtime/startup-checks.js';
import type { MigrationStatus } from '../runtime/maintenance.js';
import { explainPostgresFailure, openBackendDatabase, schemaExists, schemaLabel } from './postgres-target.js';

/**
 * `cairn migrate` on PostgreSQL, after a start's checks (`preparePostgresHome`): the gateway schema migrated to head by
 * `@cairn/migration`'s runner, each migration in its own transaction under the database's
 * migration advisory lock (so gateways starting meanwhile wait, then find it done), then the
 * schema checked against the new version's fingerprint. The keystore's schema is migrated by
 * the keystore's own open (under its key lock), at the first start.
 */
export async function migratePostgres(backend: PostgresBackend): Promise<{ applied: Array<{ version: number; name: string }>; version: number }> {
  const ds = await openBackendDatabase(backend, { schema: backend.schema, createSchema: true, poolSize: 1, applicationName: 'cairn-migrate' });
  try {
    const report = await runMigrations(ds, gatewayMigrations).catch((error: unknown) => {
      throw explainPostgresFailure(error, backend, 'migration failed');
    });
    if (report.applied.length > 0) await assertSchemaAsMigrated(ds, schemaLabel(backend, 'gateway'), gatewayMigrations);
    return { applied: [...report.applied], version: report.toVersion };
  } finally {
    await ds.destroy();
  }
}

/** `cairn migrate --status` on PostgreSQL; reads only (a missing schema is "not created yet"). */
export async function postgresMigrationStatus(backend: PostgresBackend): Promise<MigrationStatus> {
  const database = schemaLabel(backend, 'gateway');
  const latestVersion = gatewayMigrations.migrations.length;
  const probe = await openBackendDatabase(backend, { schema: 'pg_catalog', poolSize: 1, applicationName: 'cairn-status' });
  try {
    if (!(await schemaExists(probe, backend.schema))) return { database, exists: false, currentVersion: 0, latestVersion, pending: latestVersion };
  } finally {
    await probe.destroy();
  }
  const reader = await openBackendDatabase(backend, { schema: backend.schema, poolSize: 1, applicationName: 'cairn-status' });
  try {
    const { currentVersion } = await assertSchemaCompatible(reader, gatewayMigrations);
    return { database, exists: currentVersion > 0, currentVersion, latestVersion, pending: latestVersion - currentVersion };
  } finally {
    await reader.destroy();
  }
}
