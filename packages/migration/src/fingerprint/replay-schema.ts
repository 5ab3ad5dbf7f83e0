import { DataSource } from 'typeorm';
import { MigrationError } from '../runner/migration-error.js';
import { runMigrations } from '../runner/run-migrations.js';
import type { MigrationSet } from '../runner/types.js';
import { readSchemaListing, type SchemaObject } from './schema-listing.js';

/**
 * What `set` makes at `version`, by running it on a scratch in-memory database with the
 * same driver as `like`. Only needed to NAME differences once a fingerprint did not match:
 * the frozen fingerprint says whether the schema is right, the replay says how it is wrong.
 */
export async function replaySchema(like: DataSource, set: MigrationSet, version: number): Promise<SchemaObject[]> {
  const options = like.options;
  if (options.type !== 'better-sqlite3') {
    throw new MigrationError('unsupported_database', `schema fingerprints are only computed for SQLite, not '${options.type}'`, {
      details: { type: options.type },
    });
  }
  const scratch = new DataSource({ type: 'better-sqlite3', database: ':memory:', ...(options.driver ? { driver: options.driver } : {}) });
  await scratch.initialize();
  try {
    if (version > 0) await runMigrations(scratch, set, { targetVersion: version });
    return await readSchemaListing(scratch);
  } finally {
    await scratch.destroy();
  }
}
