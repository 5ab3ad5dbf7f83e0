import type { RuntimePaths } from '@cairn/config';
import { openPostgresCrudStore, type OpenCrudStoreOptions, type PostgresCrudStore } from '@cairn/crud';
import { gatewayMigrations } from '@cairn/migration';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { assertSchemaAsMigrated } from '../runtime/startup-checks.js';
import { explainPostgresFailure, schemaLabel } from './postgres-target.js';

type StoreExtras = Pick<OpenCrudStoreOptions, 'journal' | 'checkpoints'>;

/**
 * The gateway schema's store on PostgreSQL (crud's `openPostgresCrudStore`): migrated to head
 * under the migration advisory lock, so gateways starting together apply each migration once;
 * a failure given back the server (URL redacted) and where the URL came from; the schema checked
 * again against the fingerprint of the new version when migrations ran.
 */
export async function openPostgresGatewayStore(backend: PostgresBackend, paths: RuntimePaths, extra: StoreExtras = {}): Promise<PostgresCrudStore> {
  let store: PostgresCrudStore;
  try {
    store = await openPostgresCrudStore({ url: backend.url, schema: backend.schema, archiveDir: paths.archiveDir, ...extra });
  } catch (error) {
    throw explainPostgresFailure(error, backend, 'cannot open the gateway schema');
  }
  try {
    if (store.migration.applied.length > 0) await assertSchemaAsMigrated(store.postgres.dataSource, schemaLabel(backend, 'gateway'), gatewayMigrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
