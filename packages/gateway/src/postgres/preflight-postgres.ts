import type { GatewaySettings } from '@cairn/config';
import { gatewayMigrations } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import { checkPostgresIntegrity } from '@cairn/postgres';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { assertSchemaAsMigrated } from '../runtime/startup-checks.js';
import { assertServerWritable, openBackendDatabase, schemaExists, schemaLabel, type PostgresDataSource } from './postgres-target.js';

/**
 * What every start on PostgreSQL checks before anything is migrated or served, the
 * counterpart of SQLite's `preflightDatabase`: the server answers and takes writes (not a
 * standby), then, unless `storage.startup_check` is off, `checkPostgresIntegrity` over the
 * gateway's and the keystore's schemas (invalid indexes, amcheck, data checksum failures),
 * then the gateway schema against this build: a newer version is `schema_too_new`, objects
 * that differ from the frozen fingerprint of its version are `integrity_failed`. The keystore's
 * own open checks its schema's fingerprint (before and after migrating). A schema that does
 * not exist yet (a first start) has nothing to check; nothing here creates one.
 */
export async function preflightPostgres(backend: PostgresBackend, settings: GatewaySettings): Promise<void> {
  const ds = await openBackendDatabase(backend, { schema: 'pg_catalog', poolSize: 1, applicationName: 'cairn-preflight' });
  let schemas: string[];
  try {
    await assertServerWritable(ds, backend);
    schemas = [];
    for (const schema of [backend.schema, backend.keystoreSchema]) if (await schemaExists(ds, schema)) schemas.push(schema);
    if (settings.storage.startup_check === 'quick' && schemas.length > 0) await assertIntegrity(ds, backend, schemas);
  } finally {
    await ds.destroy();
  }
  if (!schemas.includes(backend.schema)) return;
  const gateway = await openBackendDatabase(backend, { schema: backend.schema, poolSize: 1, applicationName: 'cairn-preflight' });
  try {
    await assertSchemaAsMigrated(gateway, schemaLabel(backend, 'gateway'), gatewayMigrations);
  } finally {
    await gateway.destroy();
  }
}

async function assertIntegrity(ds: PostgresDataSource, backend: PostgresBackend, schemas: string[]): Promise<void> {
  const result = await checkPostgresIntegrity(ds, { schemas });
  if (result.ok) return;
  const shown = result.problems.slice(0, 5).join('; ') + (result.problems.length > 5 ? `; and ${result.problems.length - 5} more` : '');
  throw new CairnError(
    'integrity_failed',
    `${schemaLabel(backend, 'gateway')}: the integrity check found ${shown}; refusing to start (nothing was written; run \`cairn doctor\`)`,
    { details: { database: schemaLabel(backend, 'gateway'), reason: 'integrity_check', problems: result.problems } },
  );
}
