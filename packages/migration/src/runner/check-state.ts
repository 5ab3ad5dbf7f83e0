import type { AppliedMigration } from './bookkeeping.js';
import { migrationChecksum } from './checksum.js';
import { MigrationError } from './migration-error.js';
import { latestVersion } from './validate-set.js';
import type { Dialect, MigrationSet } from './types.js';

/**
 * Compares what a database says was applied with what the code holds, and refuses anything
 * that would let this build write to a schema it does not understand. Pure; the caller
 * decides whether the rows were read under the lock.
 *
 * Checksums are those of `dialect`'s SQL. Returns the current version (applied rows are
 * 1..current once this passes).
 */
export function assertStateMatchesSet(set: MigrationSet, applied: readonly AppliedMigration[], dialect: Dialect): number {
  const latest = latestVersion(set);
  const newest = applied.reduce((max, row) => Math.max(max, row.version), 0);
  // First: a newer database must be refused even if its rows are otherwise odd, and the
  // operator needs both numbers to know which binary to run.
  if (newest > latest) {
    throw new MigrationError(
      'schema_too_new',
      `${set.service} schema is at version ${newest} but this build knows only up to version ${latest}; ` +
        'refusing to touch a newer schema (run a build that includes the newer migrations)',
      { details: { service: set.service, databaseVersion: newest, codeVersion: latest } },
    );
  }
  applied.forEach((row, index) => {
    if (row.version !== index + 1) {
      throw new MigrationError(
        'migration_gap',
        `${set.service} applied versions in the database are not contiguous: ${applied.map((r) => r.version).join(', ')}`,
        { details: { service: set.service, appliedVersions: applied.map((r) => r.version) } },
      );
    }
    const migration = set.migrations[index]!;
    const expected = migrationChecksum(migration, dialect);
    if (row.checksum !== expected) {
      throw new MigrationError(
        'checksum_mismatch',
        `${set.service} migration ${row.version} (${migration.name}) was changed after it was applied: ` +
          `stored checksum ${row.checksum.slice(0, 12)}…, code ${expected.slice(0, 12)}…; add a new migration instead of editing an applied one`,
        { details: { service: set.service, version: row.version, name: migration.name, storedName: row.name, stored: row.checksum, expected } },
      );
    }
  });
  return applied.length;
}
