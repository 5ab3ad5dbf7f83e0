import { afterEach, describe, expect, it } from '@jest/globals';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { runMigrations } from '../runner/run-migrations.js';
import type { MigrationSet } from '../runner/types.js';
import { BACKENDS, type TestDatabase } from '../testing/fixtures/backends.js';
import { canonicalListing, readSchemaListing, schemaFingerprint } from './schema-listing.js';

// The frozen fingerprints are the reference a live database is checked against at start and
// in `cairn doctor`. This test applies each set one version at a time to a fresh database of
// each backend and compares what it made with the frozen value of that dialect; on a
// mismatch it prints what to paste, and where.
const SETS: ReadonlyArray<{ set: MigrationSet; file: string; source: string; schema?: string }> = [
  { set: gatewayMigrations, file: 'gateway.db', source: 'src/gateway/fingerprints.ts' },
  { set: keystoreMigrations, file: 'keystore.db', source: 'src/keystore/fingerprints.ts', schema: 'cairn_keystore' },
];
const CASES = BACKENDS.flatMap((backend) => SETS.map((entry) => ({ backend, ...entry, dialect: backend.name })));

describe('frozen schema fingerprints', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  it.each(CASES)('match what $set.service migrations 1..N make on a fresh $dialect database', async ({ backend, set, file, source, schema }) => {
    db = await backend.create(file);
    const ds = await db.open(schema === undefined ? {} : { schema, createSchema: true });
    const field = backend.name === 'postgres' ? 'postgresFingerprints' : 'fingerprints';
    const frozenValues = (backend.name === 'postgres' ? set.postgresFingerprints : set.fingerprints) ?? {};
    const problems: string[] = [];
    for (const migration of set.migrations) {
      await runMigrations(ds, set, { targetVersion: migration.version });
      const listing = await readSchemaListing(ds);
      const computed = schemaFingerprint(listing);
      const frozen = frozenValues[migration.version];
      if (frozen === computed) continue;
      problems.push(
        [
          `${set.service} on ${backend.name}, version ${migration.version} (${migration.name}): frozen ${frozen ?? '(none)'}, computed ${computed}`,
          frozen === undefined
            ? `  new version: add this line to ${field} in ${source}:\n    ${migration.version}: '${computed}',`
            : `  an existing version changed: a frozen migration was edited, or ${backend.name} records it differently now. Do not edit the frozen value; find out why.`,
          '  listing:',
          ...canonicalListing(listing).split('\n').map((line) => `    ${line}`),
        ].join('\n'),
      );
    }
    if (problems.length > 0) throw new Error(`schema fingerprints out of date:\n${problems.join('\n\n')}`);
    const versions = Object.keys(frozenValues).map(Number);
    expect(versions.filter((v) => v < 1 || v > set.migrations.length)).toEqual([]);
  });
});
