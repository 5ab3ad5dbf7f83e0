import type { DataSource } from 'typeorm';
import { MigrationError } from './migration-error.js';

/** The only database-specific part of the runner: how one migration's write transaction is framed. */
export interface LockDialect {
  /** Run on the connection before the transaction opens, where they still take effect. */
  readonly beforeBegin: readonly string[];
  /** Opens the transaction AND takes the exclusive migration lock before anything is read. */
  readonly begin: readonly string[];
  /** Run inside the transaction just before COMMIT; any row it returns is an integrity violation. */
  readonly verify: string | undefined;
  /** Run after the transaction ended, whether it committed or rolled back. */
  readonly afterEnd: readonly string[];
}

/**
 * SQLite: `BEGIN IMMEDIATE` takes the file's write lock up front (waiting up to busy_timeout),
 * so the applied versions read next cannot change before COMMIT; a deferred BEGIN would read
 * under a shared lock and let two processes both decide to apply the same migration.
 *
 * Foreign keys are switched off around the transaction because SQLite's documented way to
 * change a table (create the new shape, copy, drop the old, rename) must not cascade or fail
 * on the drop, and `PRAGMA foreign_keys` is a no-op inside a transaction. `foreign_key_check`
 * before COMMIT keeps the guarantee: a migration that leaves a dangling reference fails and
 * rolls back. Switching back ON happens after every transaction, whatever happened.
 */
const SQLITE: LockDialect = {
  beforeBegin: ['PRAGMA foreign_keys = OFF'],
  begin: ['BEGIN IMMEDIATE'],
  verify: 'PRAGMA foreign_key_check',
  afterEnd: ['PRAGMA foreign_keys = ON'],
};

// PostgreSQL would be: begin ['BEGIN', "SELECT pg_advisory_xact_lock(hashtext('cairn.schema_migration'))"],
// nothing before/after (DDL does not need FKs off), `$n` placeholders in bookkeeping.ts.
// Not written until a test can run it.
export function lockDialect(dataSource: DataSource): LockDialect {
  const type = dataSource.options.type;
  switch (type) {
    case 'better-sqlite3':
      return SQLITE;
    default:
      throw new MigrationError('unsupported_database', `the migration runner has no locking strategy for database type '${type}'`, {
        details: { type },
      });
  }
}
