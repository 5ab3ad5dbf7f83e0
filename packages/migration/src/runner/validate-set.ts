import { MigrationError } from './migration-error.js';
import type { Dialect, MigrationSet } from './types.js';

/**
 * A set must list versions 1..n in order, each once. Checked before the database is touched:
 * a gap would mean some database skips a step that another one ran.
 */
export function assertContiguousSet(set: MigrationSet): void {
  if (set.service.length === 0) {
    throw new MigrationError('migration_gap', 'migration set has an empty service name', { details: { service: set.service } });
  }
  const versions = set.migrations.map((m) => m.version);
  versions.forEach((version, index) => {
    if (version !== index + 1) {
      const duplicate = versions.indexOf(version) !== index;
      throw new MigrationError(
        'migration_gap',
        `${set.service} migrations must be versions 1..${versions.length} in order; ` +
          `position ${index + 1} holds version ${version}${duplicate ? ' (duplicate)' : ''}`,
        { details: { service: set.service, versions, position: index + 1, found: version, expected: index + 1 } },
      );
    }
  });
}

/** The newest version the code knows for this set (0 for an empty set). */
export function latestVersion(set: MigrationSet): number {
  return set.migrations.length;
}

/**
 * One version sequence for both dialects: a set runs on PostgreSQL only when every version has
 * its PostgreSQL SQL (a version missing there would be a step PostgreSQL databases skip).
 * Checked before the database is touched.
 */
export function assertSetRunsOn(set: MigrationSet, dialect: Dialect): void {
  if (dialect === 'sqlite') return;
  const missing = set.migrations.filter((m) => m.postgres === undefined).map((m) => m.version);
  if (missing.length > 0) {
    throw new MigrationError('unsupported_database', `${set.service} migrations ${missing.join(', ')} have no PostgreSQL SQL`, {
      details: { service: set.service, dialect, versions: missing },
    });
  }
}
