import { assertSchemaFingerprint, keystoreMigrations, runMigrations } from '@cairn/migration';
import { openPostgresDatabase, readSessionSettings } from '@cairn/postgres';
import { CairnError } from '@cairn/protocol';
import type { ModeChange } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { wrapKeystoreError } from '../errors/keystore-errors.js';
import { hardenKeyFiles } from '../key-source/file-key-source.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { reconcileMasterKey } from '../store/reconcile-master-key.js';
import { postgresKeySource, prepareKeyHome } from './key-source.js';
import { PostgresKeystore } from './postgres-keystore.js';
import { createPostgresStorage } from './postgres-storage.js';

/** Where the keystore's tables live unless told otherwise; never the gateway's domain schema (`public`). */
export const DEFAULT_KEYSTORE_SCHEMA = 'cairn_keystore';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface OpenPostgresKeystoreOptions {
  /** `postgres://...`; default `CAIRN_DATABASE_URL`. The keystore opens (and at close destroys) its own pool on the schema. */
  url?: string;
  /**
   * Instead of `url`: a DataSource from `openPostgresDatabase({ url, schema, createSchema: true })`
   * whose schema is the keystore's (the keystore refuses one on another schema). The caller
   * owns it: `close` leaves it open. Needs at least two pooled connections.
   */
  dataSource?: DataSource;
  /** Default `cairn_keystore`. A plain lower-case identifier; `public` is refused. */
  schema?: string;
  /** The runtime home whose `keystore.key` holds the master key when `CAIRN_MASTER_KEY` is unset. */
  home?: string;
  /** Default: `CAIRN_MASTER_KEY` when set, else `<home>/keystore.key`. */
  keySource?: MasterKeySource;
  now?: () => Date;
  /** Connections of the pool opened for `url`. Default 4. */
  poolSize?: number;
  /** Longest wait for the key lock held by another process's open or rotation. Default 60000 ms; then `busy`. */
  lockWaitMs?: number;
  /** Told about every permission tightened on the home and the key files. */
  onModeChange?: (change: ModeChange) => void;
}

/**
 * Opens (creating on first start) the keystore in its own PostgreSQL schema: the schema
 * created if missing, checked against its frozen fingerprint (`integrity_failed` naming each
 * difference) before and after the keystore migrations' PostgreSQL SQL runs in it (the
 * migration runner's advisory lock), the master key checked against `keystore_meta`'s key id
 * and canary (a wrong key is `master_key_invalid`, before any secret is read) and any
 * interrupted rotation settled. All of it under the keystore's key lock, so two processes
 * opening at once take turns, and a first start adopts exactly one key.
 */
export async function openPostgresKeystore(options: OpenPostgresKeystoreOptions = {}): Promise<PostgresKeystore> {
  const schema = options.schema ?? DEFAULT_KEYSTORE_SCHEMA;
  const now = options.now ?? (() => new Date());
  const where = `PostgreSQL schema ${schema}`;
  let owned: DataSource | undefined;
  try {
    assertKeystoreSchema(schema);
    const source = options.keySource ?? postgresKeySource(options.home);
    const report = (changes: readonly ModeChange[]) => changes.forEach((change) => options.onModeChange?.(change));
    prepareKeyHome(options.home, source, report);
    let dataSource = options.dataSource;
    if (dataSource) await assertOwnSchema(dataSource, schema);
    else dataSource = owned = await openPostgresDatabase({ url: options.url, schema, createSchema: true, poolSize: options.poolSize ?? 4, applicationName: 'cairn-keystore' });
    const storage = createPostgresStorage(dataSource, schema, { lockWaitMs: options.lockWaitMs ?? 60_000, ownsDataSource: owned !== undefined });
    const ds = dataSource;
    const key = await storage.withKeyLock(async (scope) => {
      // Exactly what the migrations made, at the version found (a drifted schema is never migrated) and after.
      await assertSchemaFingerprint(ds, keystoreMigrations);
      const migrated = await runMigrations(ds, keystoreMigrations);
      if (migrated.applied.length > 0) await assertSchemaFingerprint(ds, keystoreMigrations);
      return reconcileMasterKey(scope, source, now(), where);
    });
    report(hardenKeyFiles(source));
    return new PostgresKeystore({ schema, dataSource, storage, source, key, now, where });
  } catch (error) {
    if (owned?.isInitialized) await owned.destroy().catch(() => undefined);
    throw wrapKeystoreError(error, `cannot open the keystore in ${where}`);
  }
}

export function assertKeystoreSchema(schema: string): void {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new CairnError('invalid_params', 'the keystore schema must be a lower-case identifier of letters, digits and _ (at most 63), not pg_*', {
      details: { field: 'schema' },
    });
  }
  if (schema === 'public') {
    throw new CairnError('invalid_params', 'the keystore never lives in public, the domain schema: give it a schema of its own (default cairn_keystore)', {
      details: { field: 'schema' },
    });
  }
}

/** A given DataSource must be the keystore schema's: the runner migrates `options.schema`, statements resolve through search_path. */
async function assertOwnSchema(dataSource: DataSource, schema: string): Promise<void> {
  const configured = (dataSource.options as { type: string; schema?: string }).schema;
  if (dataSource.options.type !== 'postgres' || configured !== schema) {
    throw new CairnError('invalid_params', `the keystore needs a PostgreSQL DataSource of its own schema ${schema} (openPostgresDatabase({ schema: '${schema}', createSchema: true })), got ${dataSource.options.type} on ${configured ?? 'no schema'}`, {
      details: { field: 'dataSource', schema: configured ?? null },
    });
  }
  const settings = await readSessionSettings(dataSource);
  if (settings.currentSchema !== schema) {
    throw new CairnError('invalid_params', `the DataSource's connections resolve names in ${settings.currentSchema ?? 'no schema'} (search_path=${settings.searchPath}), not ${schema}`, {
      details: { field: 'dataSource', schema: settings.currentSchema },
    });
  }
}
