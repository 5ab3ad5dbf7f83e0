import type { DataSource } from 'typeorm';
import { assertStateMatchesSet } from './check-state.js';
import { readMigrationState } from './read-migration-state.js';
import { assertContiguousSet, latestVersion } from './validate-set.js';
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
 * `checksum_mismatch` when this build must not write to the database; pending migrations
 * are fine (the caller decides whether to run them).
 */
export async function assertSchemaCompatible(dataSource: DataSource, set: MigrationSet): Promise<SchemaCompatibility> {
  assertContiguousSet(set);
  const state = await readMigrationState(dataSource, set.service);
  const currentVersion = assertStateMatchesSet(set, state.applied);
  return { service: set.service, currentVersion, latestVersion: latestVersion(set) };
}
