import type { RuntimePaths } from '@cairn/config';
import * as crud from '@cairn/crud';
import type { CrudStore, OpenCrudStoreOptions } from '@cairn/crud';
import { gatewayMigrations } from '@cairn/migration';
import { CairnError } from '@cairn/protocol';
import type { PostgresBackend } from '../runtime/runtime-options.js';
import { assertSchemaAsMigrated } from '../runtime/startup-checks.js';
import { explainPostgresFailure, schemaLabel, type PostgresDataSource } from './postgres-target.js';

type StoreExtras = Pick<OpenCrudStoreOptions, 'journal' | 'checkpoints'>;

/** What crud's PostgreSQL opener takes and answers (the part the gateway uses). */
type OpenPostgresCrudStore = (options: StoreExtras & { url: string; schema: string; archiveDir: string }) => Promise<CrudStore & { postgres?: { dataSource: PostgresDataSource } }>;

/**
 * The gateway schema's store on PostgreSQL (crud's `openPostgresCrudStore`): migrated to head
 * under the migration advisory lock, so gateways starting together apply each migration once;
 * a failure given back the server (URL redacted) and where the URL came from; the schema checked
 * again against the fingerprint of the new version when migrations ran.
 */
export async function openPostgresGatewayStore(backend: PostgresBackend, paths: RuntimePaths, extra: StoreExtras = {}): Promise<CrudStore> {
  const open = (crud as unknown as { openPostgresCrudStore?: OpenPostgresCrudStore }).openPostgresCrudStore;
  if (open === undefined) {
    throw new CairnError('storage_failed', `${schemaLabel(backend, 'gateway')}: this build of @cairn/crud has no PostgreSQL store (openPostgresCrudStore)`, {
      details: { reason: 'unsupported_backend' },
    });
  }
  let store: Awaited<ReturnType<OpenPostgresCrudStore>>;
  try {
    store = await open({ url: backend.url, schema: backend.schema, archiveDir: paths.archiveDir, ...extra });
  } catch (error) {
    throw explainPostgresFailure(error, backend, 'cannot open the gateway schema');
  }
  try {
    const ds = store.postgres?.dataSource;
    if (store.migration.applied.length > 0 && ds) await assertSchemaAsMigrated(ds, schemaLabel(backend, 'gateway'), gatewayMigrations);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
