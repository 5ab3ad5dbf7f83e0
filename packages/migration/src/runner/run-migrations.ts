import type { DataSource } from 'typeorm';
import { applyStep } from './apply-step.js';
import { assertSchemaCompatible } from './assert-schema-compatible.js';
import { ensureMigrationTable, readAppliedRows } from './bookkeeping.js';
import { assertStateMatchesSet } from './check-state.js';
import { withMigrationSession } from './migration-session.js';
import { assertTargetVersion } from './target-version.js';
import { retryTransient } from './transient.js';
import { assertContiguousSet, latestVersion } from './validate-set.js';
import type { Migration, MigrationSet } from './types.js';

export interface RunMigrationsOptions {
  /** Migrate up to this version (default: the newest). Never goes down: a database already at or past it is left alone. */
  targetVersion?: number;
}

export interface MigrationReport {
  readonly service: string;
  /** Version found under the lock when this run started. */
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Migrations this call applied, in order; empty when another process got there first. */
  readonly applied: ReadonlyArray<{ version: number; name: string }>;
}

/**
 * Brings `set.service` up to `targetVersion`, one migration per transaction. Each transaction
 * takes the write lock FIRST and only then re-reads and re-validates the applied versions, so
 * a process racing this one can never make it apply a migration twice, and a newer binary
 * that migrated in between makes this one stop with `schema_too_new` instead of writing.
 */
export async function runMigrations(dataSource: DataSource, set: MigrationSet, options: RunMigrationsOptions = {}): Promise<MigrationReport> {
  assertContiguousSet(set);
  const target = assertTargetVersion(set, options.targetVersion ?? latestVersion(set));
  // Refuse an incompatible database before taking any lock or creating anything.
  await retryTransient(() => assertSchemaCompatible(dataSource, set));

  return withMigrationSession(dataSource, async (session) => {
    let fromVersion: number | undefined;
    const applied: Array<{ version: number; name: string }> = [];
    for (;;) {
      const step = await retryTransient(() =>
        session.transaction(
          async (runner): Promise<{ current: number; migration?: Migration }> => {
            await ensureMigrationTable(runner, session.target);
            const current = assertStateMatchesSet(set, await readAppliedRows(runner, session.target, set.service), session.target.dialect);
            fromVersion ??= current;
            if (current >= target) return { current };
            const migration = set.migrations[current]!;
            await applyStep(runner, session.target, set.service, migration, 'up');
            return { current, migration };
          },
          { createSchema: true },
        ),
      );
      if (!step.migration) return { service: set.service, fromVersion: fromVersion ?? step.current, toVersion: step.current, applied };
      applied.push({ version: step.migration.version, name: step.migration.name });
    }
  });
}
