import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { openPostgresDatabase } from '@cairn/postgres';
import { MasterKey } from '../crypto/master-key.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { createHeldTextSealer } from '../redact/held-text-sealer.js';
import { createPostgresKeystoreFixture, type PostgresKeystoreFixture } from '../testing/fixtures/postgres-keystore.js';
import { openPostgresKeystore } from './open-postgres-keystore.js';
import { errorOf } from '../testing/fixtures/error-of.js';

/** Every object PostgreSQL keeps in `schema`: relations (tables, indexes, sequences, views), functions, types. */
const OBJECTS_IN = `
  SELECT 'relation ' || c.relname AS object FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?
  UNION ALL SELECT 'function ' || p.proname FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ?
  UNION ALL SELECT 'type ' || t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = ? AND t.typrelid = 0 AND t.typelem = 0
  ORDER BY 1`;

describe('the PostgreSQL keystore keeps to its schema', () => {
  let fixture: PostgresKeystoreFixture;
  const key = MasterKey.generate();
  const keySource = () => createStaticMasterKeySource(key);
  const objectsIn = async (schema: string) => (await fixture.query(OBJECTS_IN, [schema, schema, schema], 'public')).map((r) => r['object']);
  beforeEach(async () => {
    fixture = await createPostgresKeystoreFixture();
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  it('creates its tables, index and bookkeeping in cairn_keystore and nothing in public', async () => {
    const ks = await fixture.open({ keySource: keySource() });
    await ks.set('provider', 'openai', 'sk-isolated-value-0001');
    await (await ks.journalCheckpoints()).record([{ workspaceId: 'ws', workspaceSeq: 1, position: 1, hash: 'a'.repeat(64) }], 'startup');
    await createHeldTextSealer(ks);
    expect(await objectsIn('public')).toEqual([]);
    expect(await objectsIn('cairn_keystore')).toEqual([
      'relation idx_keystore_journal_checkpoint_workspace',
      'relation keystore_journal_checkpoint',
      'relation keystore_journal_checkpoint_pkey',
      'relation keystore_meta',
      'relation keystore_meta_pkey',
      'relation keystore_secret',
      'relation keystore_secret_pkey',
      'relation schema_migration',
      'relation schema_migration_pkey',
    ]);
    const [versions] = await fixture.query("SELECT max(version) AS v FROM schema_migration WHERE service = 'keystore'");
    expect(versions).toEqual({ v: 2 });
  });

  it('lives beside the gateway migrated in public, each with its own versions', async () => {
    const gateway = await openPostgresDatabase({ url: fixture.url });
    try {
      await runMigrations(gateway, gatewayMigrations);
      const ks = await fixture.open({ keySource: keySource() });
      await ks.set('provider', 'openai', 'sk-beside-the-gateway-0001');
      expect(await objectsIn('public')).not.toContain('relation keystore_secret');
      expect(await fixture.query("SELECT DISTINCT service FROM public.schema_migration")).toEqual([{ service: 'gateway' }]);
      expect(await fixture.query('SELECT DISTINCT service FROM schema_migration')).toEqual([{ service: 'keystore' }]);
    } finally {
      await gateway.destroy();
    }
  });

  it('takes another schema when told, and two schemas are two keystores', async () => {
    const tenant = await fixture.open({ schema: 'tenant_ks', keySource: createStaticMasterKeySource(MasterKey.generate()) });
    const main = await fixture.open({ keySource: keySource() });
    await tenant.set('provider', 'openai', 'sk-tenant-value-0001');
    expect(await main.get('provider', 'openai')).toBeUndefined();
    expect(tenant.keyId).not.toBe(main.keyId);
    expect(tenant.schema).toBe('tenant_ks');
    expect(await objectsIn('tenant_ks')).toContain('relation keystore_secret');
    expect(await objectsIn('public')).toEqual([]);
  });

  it('refuses public, names that are not plain identifiers, and a DataSource of another schema', async () => {
    for (const schema of ['public', 'Bad-Name', 'pg_keystore', '']) {
      const error = await errorOf(fixture.open({ schema, keySource: keySource() }));
      expect(error).toMatchObject({ code: 'invalid_params', details: { field: 'schema' } });
    }
    const domain = await openPostgresDatabase({ url: fixture.url });
    try {
      expect(await errorOf(openPostgresKeystore({ dataSource: domain, keySource: keySource() }))).toMatchObject({ code: 'invalid_params', details: { field: 'dataSource' } });
    } finally {
      await domain.destroy();
    }
    expect(await objectsIn('public')).toEqual([]);
    expect(await objectsIn('cairn_keystore')).toEqual([]);
  });

  it('uses a DataSource of its own schema and leaves it open at close', async () => {
    const dataSource = await openPostgresDatabase({ url: fixture.url, schema: 'cairn_keystore', createSchema: true, poolSize: 2 });
    try {
      const ks = await openPostgresKeystore({ dataSource, keySource: keySource() });
      await ks.set('provider', 'openai', 'sk-given-datasource-0001');
      await ks.close();
      expect(dataSource.isInitialized).toBe(true);
      const again = await openPostgresKeystore({ dataSource, keySource: keySource() });
      expect(await again.get('provider', 'openai')).toBe('sk-given-datasource-0001');
      await again.close();
    } finally {
      await dataSource.destroy();
    }
  });

  it('refuses a schema that is not what its migrations made (integrity_failed, naming it)', async () => {
    const ks = await fixture.open({ keySource: keySource() });
    await ks.close();
    await fixture.query('CREATE TABLE gateway_leftover (id integer)');
    const error = await errorOf(fixture.open({ keySource: keySource() }));
    expect(error.code).toBe('integrity_failed');
    expect(error.message).toContain('extra table gateway_leftover');
  });

  it('refuses a wrong master key naming both key ids, and an edited key record', async () => {
    const ks = await fixture.open({ keySource: keySource() });
    await ks.set('provider', 'openai', 'sk-guarded-value-0001');
    await ks.close();
    const wrong = MasterKey.generate();
    const error = await errorOf(fixture.open({ keySource: createStaticMasterKeySource(wrong, { description: 'CAIRN_MASTER_KEY' }) }));
    expect(error).toMatchObject({ code: 'master_key_invalid', details: { expectedKeyId: key.id, providedKeyId: wrong.id, source: 'CAIRN_MASTER_KEY' } });
    expect(error.message).toContain('PostgreSQL schema cairn_keystore');
    expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain(key.toBase64());
  });
});
