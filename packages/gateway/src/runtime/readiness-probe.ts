import { assertSchemaCompatible, checkSchemaFingerprint, gatewayMigrations } from '@cairn/migration';
import { openSqliteDatabase } from '@cairn/sqlite';

type DataSource = Parameters<typeof checkSchemaFingerprint>[0];
import { combineChecks, type ReadinessCheck, type ReadinessProbe } from '../http/readiness.js';

export interface DatabaseProbe {
  probe: ReadinessProbe;
  close(): Promise<void>;
}

/**
 * Readiness from the database itself, on its own read-only connection: the file answers a
 * query, its gateway schema is exactly the version this build ships (not pending, not
 * newer), and its schema objects are still what the migrations made (the frozen
 * fingerprint: one `sqlite_master` read and a hash), so a trigger dropped while serving
 * takes the gateway out of rotation. A separate connection means the probe never queues
 * behind the write coordinator.
 */
export async function openDatabaseProbe(path: string, isOpen: () => boolean): Promise<DatabaseProbe> {
  const reader = await openSqliteDatabase({ path, readonly: true });
  const probe: ReadinessProbe = async () => {
    const checks: Record<string, ReadinessCheck> = {};
    if (!isOpen() || !reader.isInitialized) {
      checks['database'] = { ok: false, detail: 'closed' };
      return combineChecks(checks);
    }
    try {
      await reader.query('SELECT 1');
      checks['database'] = { ok: true };
    } catch {
      checks['database'] = { ok: false, detail: 'query failed' };
    }
    Object.assign(checks, await schemaReadiness(reader));
    return combineChecks(checks);
  };
  return {
    probe,
    close: async () => {
      if (reader.isInitialized) await reader.destroy();
    },
  };
}

/**
 * The schema half of readiness, on either database: the version is exactly this build's
 * (`migrations`), and the objects are what the migrations made (`schema`: how many differ,
 * not which; the probe is unauthenticated and `cairn doctor` names them).
 */
export async function schemaReadiness(reader: DataSource): Promise<Record<string, ReadinessCheck>> {
  const checks: Record<string, ReadinessCheck> = {};
    try {
      const { currentVersion, latestVersion } = await assertSchemaCompatible(reader, gatewayMigrations);
      checks['migrations'] =
        currentVersion === latestVersion
          ? { ok: true, detail: `version ${currentVersion}` }
          : { ok: false, detail: `version ${currentVersion}, expected ${latestVersion}` };
    } catch (error) {
      checks['migrations'] = { ok: false, detail: (error as { code?: string }).code ?? 'schema check failed' };
    }
    try {
      const report = await checkSchemaFingerprint(reader, gatewayMigrations);
      checks['schema'] = report.ok ? { ok: true } : { ok: false, detail: `${report.differences.length} schema difference(s); run cairn doctor` };
    } catch (error) {
      checks['schema'] = { ok: false, detail: (error as { code?: string }).code ?? 'schema check failed' };
    }
  return checks;
}
