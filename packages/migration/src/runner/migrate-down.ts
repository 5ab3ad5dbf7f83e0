import type { DataSource } from 'typeorm';
import { applyStep } from './apply-step.js';
import { assertSchemaCompatible } from './assert-schema-compatible.js';
import { migrationTableExists, readAppliedRows } from './bookkeeping.js';
import { assertStateMatchesSet } from './check-state.js';
import { withMigrationSession } from './migration-session.js';
import { assertTargetVersion } from './target-version.js';
import { assertContiguousSet } from './validate-set.js';
import type { Migration, MigrationSet } from './types.js';

export interface MigrateDownReport {
  readonly service: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** Migrations whose `down` ran, newest first. */
  readonly reverted: ReadonlyArray<{ version: number; name: string }>;
}

/**
 * Reverts `set.service` down to `targetVersion` (0 = nothing applied), newest migration first.
 * Each migration's `down` statements run in the order written, together with the deletion of
 * its bookkeeping row, in one locked transaction. A database already at or below the target
 * is left alone.
 */
export async function migrateDown(dataSource: DataSource, set: MigrationSet, targetVersion: number): Promise<MigrateDownReport> {
  assertContiguousSet(set);
  const target = assertTargetVersion(set, targetVersion);
  await assertSchemaCompatible(dataSource, set);

  return withMigrationSession(dataSource, async (session) => {
    let fromVersion: number | undefined;
    const reverted: Array<{ version: number; name: string }> = [];
    for (;;) {
      const step = await session.transaction(async (runner): Promise<{ current: number; migration?: Migration }> => {
        const rows = (await migrationTableExists(runner, session.target)) ? await readAppliedRows(runner, session.target, set.service) : [];
        const current = assertStateMatchesSet(set, rows, session.target.dialect);
        fromVersion ??= current;
        if (current <= target) return { current };
        const migration = set.migrations[current - 1]!;
        await applyStep(runner, session.target, set.service, migration, 'down');
        return { current, migration };
      });
      if (!step.migration) return { service: set.service, fromVersion: fromVersion ?? step.current, toVersion: step.current, reverted };
      reverted.push({ version: step.migration.version, name: step.migration.name });
    }
  });
}
