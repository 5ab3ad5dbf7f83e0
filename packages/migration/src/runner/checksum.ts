import { createHash } from 'node:crypto';
import { MigrationError } from './migration-error.js';
import type { Dialect, Migration } from './types.js';

/**
 * SHA-256 (hex) over the migration's name and its `up` statements for `dialect` (SQLite's
 * `up` by default, `postgres.up` for PostgreSQL), each prefixed with its UTF-8 byte length,
 * so that moving text across a statement boundary (`['a; b']` versus `['a;', ' b']`)
 * changes the checksum. `down` is deliberately outside: fixing a broken rollback does not
 * change what an applied migration did. Each dialect's checksum covers its own SQL only:
 * adding or fixing the PostgreSQL SQL never touches what SQLite files recorded.
 *
 * This encoding is stored in every database ever migrated: changing it would make every
 * applied migration look edited. Never change it; version it if it must evolve.
 */
export function migrationChecksum(migration: Pick<Migration, 'name' | 'up'> & Partial<Pick<Migration, 'version' | 'postgres'>>, dialect: Dialect = 'sqlite'): string {
  const hash = createHash('sha256');
  for (const part of [migration.name, ...upStatements(migration, dialect)]) {
    hash.update(`${Buffer.byteLength(part, 'utf8')}:`);
    hash.update(part, 'utf8');
  }
  return hash.digest('hex');
}

/** The statements a migration runs in `direction` on `dialect`. */
export function statementsOf(migration: Migration, dialect: Dialect, direction: 'up' | 'down'): readonly string[] {
  if (dialect === 'sqlite') return migration[direction];
  return requirePostgres(migration)[direction];
}

function upStatements(migration: Pick<Migration, 'name' | 'up'> & Partial<Pick<Migration, 'version' | 'postgres'>>, dialect: Dialect): readonly string[] {
  return dialect === 'sqlite' ? migration.up : requirePostgres(migration).up;
}

function requirePostgres(migration: Partial<Pick<Migration, 'version' | 'postgres'>> & Pick<Migration, 'name'>): NonNullable<Migration['postgres']> {
  if (migration.postgres === undefined) {
    throw new MigrationError('unsupported_database', `migration ${migration.version ?? '?'} (${migration.name}) has no PostgreSQL SQL`, {
      details: { version: migration.version, name: migration.name, dialect: 'postgres' },
    });
  }
  return migration.postgres;
}
