import type { DataSource } from 'typeorm';
import { MigrationError } from './migration-error.js';
import type { Dialect } from './types.js';

/** The database-specific framing of one migration's write transaction. */
export interface LockDialect {
  readonly dialect: Dialect;
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
  dialect: 'sqlite',
  beforeBegin: ['PRAGMA foreign_keys = OFF'],
  begin: ['BEGIN IMMEDIATE'],
  verify: 'PRAGMA foreign_key_check',
  afterEnd: ['PRAGMA foreign_keys = ON'],
};

/**
 * The key of the one advisory lock every migration transaction of a database takes (all
 * schemas, all services: migrations are rare, and one key also covers creating a schema).
 */
export const POSTGRES_MIGRATION_LOCK = "pg_advisory_xact_lock(hashtext('cairn.schema_migration'))";

/**
 * PostgreSQL: a transaction-scoped advisory lock taken as the transaction's first statement,
 * so a second runner (another process, another DataSource) waits there, then reads what the
 * first one applied; the lock ends with COMMIT or ROLLBACK, never outliving a crashed runner.
 * DDL is transactional and foreign keys are checked per statement, so nothing is switched
 * off: a migration that orphans a row fails at that statement and rolls back whole.
 */
const POSTGRES: LockDialect = {
  dialect: 'postgres',
  beforeBegin: [],
  begin: ['BEGIN', `SELECT ${POSTGRES_MIGRATION_LOCK}`],
  verify: undefined,
  afterEnd: [],
};

/** Which SQL a `DataSource` speaks; `unsupported_database` for a driver the runner does not know. */
export function dialectOf(dataSource: Pick<DataSource, 'options'>): Dialect {
  const type = dataSource.options.type;
  switch (type) {
    case 'better-sqlite3':
      return 'sqlite';
    case 'postgres':
      return 'postgres';
    default:
      throw new MigrationError('unsupported_database', `the migration runner has no locking strategy for database type '${type}'`, {
        details: { type },
      });
  }
}

export function lockDialect(dataSource: Pick<DataSource, 'options'>): LockDialect {
  return dialectOf(dataSource) === 'sqlite' ? SQLITE : POSTGRES;
}
