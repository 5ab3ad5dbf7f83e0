import type { DataSource } from 'typeorm';
import { assertStateMatchesSet } from './check-state.js';
import { dialectOf } from './dialect.js';
import { readMigrationState } from './read-migration-state.js';
import { assertContiguousSet, assertSetRunsOn, latestVersion } from './validate-set.js';
import type { MigrationSet } from './types.js';

export interface SchemaCompatibility {
  readonly service: string;
  /** Applied in the database. */
  readonly currentVersion: number;
  /** Newest in code; `currentVersion < latestVersion` means migrations are pending, which is compatible. */
  readonly latestVersion: number;
}

/**
 * Open-time check that writes nothing: throws `migration_gap`, `schema_too_new` or
 * `checksum_mismatch` when this build must not write to the database, `unsupported_database`
 * when the set has no SQL for it; pending migrations are fine (the caller decides whether to
 * run them).
 */
export async function assertSchemaCompatible(dataSource: DataSource, set: MigrationSet): Promise<SchemaCompatibility> {
  assertContiguousSet(set);
  const dialect = dialectOf(dataSource);
  assertSetRunsOn(set, dialect);
  const state = await readMigrationState(dataSource, set.service);
  const currentVersion = assertStateMatchesSet(set, state.applied, dialect);
  return { service: set.service, currentVersion, latestVersion: latestVersion(set) };
}
