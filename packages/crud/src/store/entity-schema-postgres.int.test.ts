import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ENTITIES } from '@cairn/entity';
import { checkSchemaFingerprint, gatewayMigrations, runMigrations } from '@cairn/migration';
import { openPostgresDatabase } from '@cairn/postgres';
import { createTestDatabase } from '@cairn/tooling/postgres';
import type { DataSource } from 'typeorm';

// The entities are the single schema contract on both dialects (ARCHITECTURE.md, "Scale-out
// path"): after gateway's frozen PostgreSQL migrations, TypeORM's schema builder must see
// nothing to change, as open-crud-store.int.test.ts checks on SQLite. It lives here, not in
// @cairn/migration, because only crud may import @cairn/entity.
describe('entities against the migrated PostgreSQL schema', () => {
  let ds: DataSource;
  beforeEach(async () => {
    const { url } = await createTestDatabase('crud_contract');
    ds = await openPostgresDatabase({ url, entities: [...ENTITIES] });
    await runMigrations(ds, gatewayMigrations);
  });
  afterEach(async () => {
    await ds.destroy();
  });

  const pending = async () => (await ds.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);

  it('leaves TypeORM nothing to create, alter or drop after migrating to head', async () => {
    expect(await pending()).toEqual([]);
    // And the search table and trigger functions TypeORM does not know survive its look.
    expect((await checkSchemaFingerprint(ds, gatewayMigrations)).ok).toBe(true);
  });

  it('notices a difference (the check above is not vacuous)', async () => {
    await ds.query('DROP INDEX "idx_thread_forked_from"');
    await ds.query('ALTER TABLE "journal_event" ALTER COLUMN "hash_version" SET DEFAULT 2');
    const queries = (await pending()).join('\n');
    expect(queries).toMatch(/CREATE INDEX "idx_thread_forked_from"/);
    expect(queries).toMatch(/"hash_version"/);
  });
});
