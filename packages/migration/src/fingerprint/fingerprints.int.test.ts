import { afterEach, describe, expect, it } from '@jest/globals';
import { gatewayMigrations } from '../gateway/index.js';
import { keystoreMigrations } from '../keystore/index.js';
import { runMigrations } from '../runner/run-migrations.js';
import type { MigrationSet } from '../runner/types.js';
import { createTempDatabase, type TempDatabase } from '../testing/fixtures/temp-database.js';
import { canonicalListing, readSchemaListing, schemaFingerprint } from './schema-listing.js';

// The frozen fingerprints are the reference a live file is checked against at start and in
// `cairn doctor`. This test applies each set one version at a time to a fresh file and
// compares what it made with the frozen value; on a mismatch it prints what to paste.
const SETS: ReadonlyArray<{ set: MigrationSet; file: string; source: string }> = [
  { set: gatewayMigrations, file: 'gateway.db', source: 'src/gateway/fingerprints.ts' },
  { set: keystoreMigrations, file: 'keystore.db', source: 'src/keystore/fingerprints.ts' },
];

describe('frozen schema fingerprints', () => {
  let db: TempDatabase | undefined;
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  it.each(SETS)('match what $set.service migrations 1..N make on a fresh $file', async ({ set, file, source }) => {
    db = createTempDatabase(file);
    const ds = await db.open();
    const problems: string[] = [];
    for (const migration of set.migrations) {
      await runMigrations(ds, set, { targetVersion: migration.version });
      const listing = await readSchemaListing(ds);
      const computed = schemaFingerprint(listing);
      const frozen = set.fingerprints?.[migration.version];
      if (frozen === computed) continue;
      problems.push(
        [
          `${set.service} version ${migration.version} (${migration.name}): frozen ${frozen ?? '(none)'}, computed ${computed}`,
          frozen === undefined
            ? `  new version: add this line to ${source}:\n    ${migration.version}: '${computed}',`
            : `  an existing version changed: a frozen migration was edited, or SQLite records it differently now. Do not edit the frozen value; find out why.`,
          '  listing:',
          ...canonicalListing(listing).split('\n').map((line) => `    ${line}`),
        ].join('\n'),
      );
    }
    if (problems.length > 0) throw new Error(`schema fingerprints out of date:\n${problems.join('\n\n')}`);
    const versions = Object.keys(set.fingerprints ?? {}).map(Number);
    expect(versions.filter((v) => v < 1 || v > set.migrations.length)).toEqual([]);
  });
});
