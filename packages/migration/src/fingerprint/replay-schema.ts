import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { applyStep } from '../runner/apply-step.js';
import { ensureMigrationTable } from '../runner/bookkeeping.js';
import { dialectOf } from '../runner/dialect.js';
import { runMigrations } from '../runner/run-migrations.js';
import { postgresTarget } from '../runner/target.js';
import type { MigrationSet } from '../runner/types.js';
import { readPostgresListing, readSchemaListing, type SchemaObject } from './schema-listing.js';

/**
 * What `set` makes at `version`, on a scratch database of `like`'s dialect. Only needed to
 * NAME differences once a fingerprint did not match: the frozen fingerprint says whether the
 * schema is right, the replay says how it is wrong.
 *
 * SQLite: a fresh in-memory database with the same driver. PostgreSQL: a scratch schema in the
 * same database, made, migrated and listed inside one transaction that is then rolled back,
 * so nothing of it ever becomes visible or stays (it needs CREATE on the database).
 */
export async function replaySchema(like: DataSource, set: MigrationSet, version: number): Promise<SchemaObject[]> {
  return dialectOf(like) === 'postgres' ? replayOnPostgres(like, set, version) : replayOnSqlite(like, set, version);
}

async function replayOnSqlite(like: DataSource, set: MigrationSet, version: number): Promise<SchemaObject[]> {
  const options = like.options as { driver?: unknown };
  const scratch = new DataSource({ type: 'better-sqlite3', database: ':memory:', ...(options.driver ? { driver: options.driver } : {}) });
  await scratch.initialize();
  try {
    if (version > 0) await runMigrations(scratch, set, { targetVersion: version });
    return await readSchemaListing(scratch);
  } finally {
    await scratch.destroy();
  }
}

async function replayOnPostgres(like: DataSource, set: MigrationSet, version: number): Promise<SchemaObject[]> {
  const target = postgresTarget(`cairn_replay_${randomBytes(8).toString('hex')}`);
  const runner = like.createQueryRunner();
  try {
    await runner.query('BEGIN');
    try {
      await runner.query(`CREATE SCHEMA ${target.quotedSchema}`);
      await runner.query(`SET LOCAL search_path TO ${target.quotedSchema}`);
      if (version > 0) {
        // As the runner would: its bookkeeping table first, then each migration's statements.
        await ensureMigrationTable(runner, target);
        for (const migration of set.migrations.slice(0, version)) await applyStep(runner, target, set.service, migration, 'up');
      }
      return await readPostgresListing(runner, target.schema!);
    } finally {
      await runner.query('ROLLBACK');
    }
  } finally {
    await runner.release();
  }
}
