import { existsSync } from 'node:fs';
import { gatewayMigrations, assertSchemaCompatible } from '@cairn/migration';
import { openCrudStore } from '@cairn/crud';
import {
  DATABASE_FILE_MODE,
  HOME_DIR_MODE,
  backupDatabase,
  checkDatabaseFile,
  checkFileModes,
  databaseFileHealth,
  ensurePrivateDirectory,
  openSqliteDatabase,
  type BackupResult,
  type FileHealth,
} from '@cairn/sqlite';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';

export interface MigrationStatus {
  database: string;
  exists: boolean;
  currentVersion: number;
  latestVersion: number;
  pending: number;
}

/** What `cairn migrate --status` shows; opens nothing for writing. */
export async function migrationStatus(options: RuntimeOptions = {}): Promise<MigrationStatus> {
  const { paths } = resolveRuntime(options);
  const latestVersion = gatewayMigrations.migrations.length;
  if (!existsSync(paths.gatewayDb)) {
    return { database: paths.gatewayDb, exists: false, currentVersion: 0, latestVersion, pending: latestVersion };
  }
  const reader = await openSqliteDatabase({ path: paths.gatewayDb, readonly: true });
  try {
    const { currentVersion } = await assertSchemaCompatible(reader, gatewayMigrations);
    return { database: paths.gatewayDb, exists: true, currentVersion, latestVersion, pending: latestVersion - currentVersion };
  } finally {
    await reader.destroy();
  }
}

/** Migrates gateway.db to head (what `serve` also does at start) and reports what ran. */
export async function migrateRuntime(options: RuntimeOptions = {}): Promise<{ applied: Array<{ version: number; name: string }>; version: number }> {
  const { paths, settings } = resolveRuntime(options);
  ensurePrivateDirectory(paths.home);
  const store = await openCrudStore({ path: paths.gatewayDb, synchronous: settings.storage.synchronous, busyTimeoutMs: settings.storage.busy_timeout_ms });
  try {
    return { applied: [...store.migration.applied], version: store.migration.toVersion };
  } finally {
    await store.close();
  }
}

/** Online backup of every database of the home into `<home>/backups/`, consistent while a gateway writes. */
export async function backupRuntime(options: RuntimeOptions = {}): Promise<BackupResult[]> {
  const { paths } = resolveRuntime(options);
  const results: BackupResult[] = [];
  for (const db of [paths.gatewayDb, paths.keystoreDb]) {
    if (!existsSync(db)) continue;
    const source = await openSqliteDatabase({ path: db, readonly: true });
    try {
      results.push(await backupDatabase(source, { dir: paths.backupsDir }));
    } finally {
      await source.destroy();
    }
  }
  return results;
}

export interface RuntimeHealth {
  home: string;
  files: FileHealth[];
  integrity: Record<string, { ok: boolean; problems?: string[] }>;
  ok: boolean;
}

/**
 * `cairn doctor`: permissions of the home and its database files, and `quick_check` of each
 * database. `-wal`/`-shm` may be missing after a clean close; that is not a problem.
 */
export async function inspectRuntime(options: RuntimeOptions = {}): Promise<RuntimeHealth> {
  const { paths } = resolveRuntime(options);
  const files = [
    ...checkFileModes([{ path: paths.home, expectedMode: HOME_DIR_MODE }]),
    ...databaseFileHealth(paths.gatewayDb),
    ...(existsSync(paths.keystoreDb) ? databaseFileHealth(paths.keystoreDb) : []),
    ...(existsSync(paths.keystoreKey) ? checkFileModes([{ path: paths.keystoreKey, expectedMode: DATABASE_FILE_MODE }]) : []),
  ];
  const integrity: RuntimeHealth['integrity'] = {};
  for (const db of [paths.gatewayDb, paths.keystoreDb]) {
    if (existsSync(db)) integrity[db] = await checkDatabaseFile(db, 'quick');
  }
  const filesOk = files.every((f) => f.status === 'ok' || (f.status === 'missing' && /-(wal|shm)$/.test(f.path)));
  return { home: paths.home, files, integrity, ok: filesOk && Object.values(integrity).every((r) => r.ok) && existsSync(paths.gatewayDb) };
}
