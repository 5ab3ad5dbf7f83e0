import type { DataSource } from 'typeorm';
import { migrationTableExists, readAppliedRows, type AppliedMigration } from './bookkeeping.js';
import { resolveTarget } from './target.js';

export interface MigrationState {
  readonly service: string;
  /** Highest applied version; 0 when nothing is applied (or the bookkeeping table does not exist yet). */
  readonly version: number;
  /** Oldest first. */
  readonly applied: readonly AppliedMigration[];
}

/**
 * Reads what the database (on PostgreSQL: the DataSource's schema) says was applied for
 * `service`. Read-only: never creates the bookkeeping table.
 */
export async function readMigrationState(dataSource: DataSource, service: string): Promise<MigrationState> {
  const runner = dataSource.createQueryRunner();
  try {
    const target = await resolveTarget(dataSource, runner);
    if (!(await migrationTableExists(runner, target))) return { service, version: 0, applied: [] };
    const applied = await readAppliedRows(runner, target, service);
    return { service, version: applied.reduce((max, row) => Math.max(max, row.version), 0), applied };
  } finally {
    await runner.release();
  }
}
