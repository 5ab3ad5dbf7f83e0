import type { QueryRunner } from 'typeorm';
import { deleteApplied, recordApplied } from './bookkeeping.js';
import { migrationChecksum, statementsOf } from './checksum.js';
import { MigrationError } from './migration-error.js';
import type { MigrationTarget } from './target.js';
import type { Migration } from './types.js';

export type Direction = 'up' | 'down';

/**
 * Runs one migration's statements (the target dialect's) in one direction and writes (up) or
 * deletes (down) its bookkeeping row, inside the caller's transaction: the schema change and
 * the record of it commit together or not at all.
 */
export async function applyStep(runner: QueryRunner, target: MigrationTarget, service: string, migration: Migration, direction: Direction): Promise<void> {
  const statements = statementsOf(migration, target.dialect, direction);
  for (const [index, statement] of statements.entries()) {
    try {
      await runner.query(statement);
    } catch (cause) {
      throw new MigrationError(
        'migration_failed',
        `${service} migration ${migration.version} (${migration.name}) failed at ${direction}[${index}]: ${describe(cause)}`,
        { cause, details: { service, version: migration.version, name: migration.name, direction, statementIndex: index, statement } },
      );
    }
  }
  if (direction === 'up') await recordApplied(runner, target, service, migration, migrationChecksum(migration, target.dialect));
  else await deleteApplied(runner, target, service, migration.version);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
