import type { QueryRunner } from 'typeorm';
import type { Migration } from './types.js';

/** One row per (service, version) applied: several services may keep their schema in one file. */
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

export async function ensureMigrationTable(runner: QueryRunner): Promise<void> {
  await runner.query(CREATE_TABLE);
}

export async function migrationTableExists(runner: QueryRunner): Promise<boolean> {
  return runner.hasTable(MIGRATION_TABLE);
}

/** Applied migrations of one service, oldest first. */
export async function readAppliedRows(runner: QueryRunner, service: string): Promise<AppliedMigration[]> {
  const rows = (await runner.query(
    `SELECT version, name, checksum, applied_at FROM ${MIGRATION_TABLE} WHERE service = ? ORDER BY version`,
    [service],
  )) as Array<{ version: number | string; name: string; checksum: string; applied_at: string }>;
  return rows.map((row) => ({ version: Number(row.version), name: row.name, checksum: row.checksum, appliedAt: row.applied_at }));
}

export async function recordApplied(runner: QueryRunner, service: string, migration: Migration, checksum: string): Promise<void> {
  await runner.query(`INSERT INTO ${MIGRATION_TABLE} (service, version, name, checksum, applied_at) VALUES (?, ?, ?, ?, ?)`, [
    service,
    migration.version,
    migration.name,
    checksum,
    new Date().toISOString(),
  ]);
}

export async function deleteApplied(runner: QueryRunner, service: string, version: number): Promise<void> {
  await runner.query(`DELETE FROM ${MIGRATION_TABLE} WHERE service = ? AND version = ?`, [service, version]);
}
