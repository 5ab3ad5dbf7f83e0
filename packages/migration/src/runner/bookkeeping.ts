import type { QueryRunner } from 'typeorm';
import type { MigrationTarget } from './target.js';
import type { Migration } from './types.js';

/** One row per (service, version) applied: several services may keep their schema in one file (or PostgreSQL schema). */
export const MIGRATION_TABLE = 'schema_migration';

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
  readonly checksum: string;
  /** ISO-8601 UTC, e.g. `2025-01-31T12:00:00.000Z`. */
  readonly appliedAt: string;
}

// The bookkeeping table itself is frozen SQL like any migration: changing it would need a
// migration of the migration table, which nothing here can run.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${MIGRATION_TABLE} (
  service TEXT NOT NULL,
  version INTEGER NOT NULL,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  PRIMARY KEY (service, version)
)`;

/** PostgreSQL's, in the target schema (`%s`): the same columns. */
const CREATE_TABLE_POSTGRES = `CREATE TABLE IF NOT EXISTS %s.${MIGRATION_TABLE} (
  service text NOT NULL,
  version integer NOT NULL,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at text NOT NULL,
  PRIMARY KEY (service, version)
)`;

/** The bookkeeping table as the target's SQL names it: schema-qualified on PostgreSQL, so reads outside a migration never find another schema's table on the search_path. */
function table(target: MigrationTarget): string {
  return target.quotedSchema === undefined ? MIGRATION_TABLE : `${target.quotedSchema}.${MIGRATION_TABLE}`;
}

export async function ensureMigrationTable(runner: QueryRunner, target: MigrationTarget): Promise<void> {
  await runner.query(target.quotedSchema === undefined ? CREATE_TABLE : CREATE_TABLE_POSTGRES.replace('%s', target.quotedSchema));
}

export async function migrationTableExists(runner: QueryRunner, target: MigrationTarget): Promise<boolean> {
  if (target.schema === undefined) return runner.hasTable(MIGRATION_TABLE);
  const rows = (await runner.query('SELECT 1 FROM pg_catalog.pg_tables WHERE schemaname = $1 AND tablename = $2', [target.schema, MIGRATION_TABLE])) as unknown[];
  return rows.length > 0;
}

/** Applied migrations of one service, oldest first. */
export async function readAppliedRows(runner: QueryRunner, target: MigrationTarget, service: string): Promise<AppliedMigration[]> {
  const rows = (await runner.query(
    `SELECT version, name, checksum, applied_at FROM ${table(target)} WHERE service = ${target.param(1)} ORDER BY version`,
    [service],
  )) as Array<{ version: number | string; name: string; checksum: string; applied_at: string }>;
  return rows.map((row) => ({ version: Number(row.version), name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
}

export async function recordApplied(runner: QueryRunner, target: MigrationTarget, service: string, migration: Migration, checksum: string): Promise<void> {
  const p = target.param;
  await runner.query(`INSERT INTO ${table(target)} (service, version, name, checksum, applied_at) VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)})`, [
    service,
    migration.version,
    migration.name,
    checksum,
    new Date().toISOString(),
  ]);
}

export async function deleteApplied(runner: QueryRunner, target: MigrationTarget, service: string, version: number): Promise<void> {
  await runner.query(`DELETE FROM ${table(target)} WHERE service = ${target.param(1)} AND version = ${target.param(2)}`, [service, version]);
}
