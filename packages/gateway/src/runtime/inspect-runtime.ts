import { existsSync, lstatSync } from 'node:fs';
import {
  assertSchemaCompatible,
  checkSchemaFingerprint,
  describeSchemaDifference,
  gatewayMigrations,
  isMigrationError,
  keystoreMigrations,
  type MigrationSet,
} from '@cairn/migration';
import {
  DATABASE_FILE_MODE,
  HOME_DIR_MODE,
  checkDatabaseFile,
  checkFileModes,
  databaseFileHealth,
  openSqliteDatabase,
  type FileHealth,
  type ModeChange,
} from '@cairn/sqlite';
import type { PostgresKeystoreInspection } from '@cairn/keystore';
import type { PostgresHealth } from '@cairn/postgres';
import { planRuntimeHardening } from './harden-home.js';
import { inspectPostgresRuntime } from '../postgres/inspect-postgres-runtime.js';
import { inspectHomeFiles, type HomeFilesHealth } from './inspect-home-files.js';
import { resolveRuntime, type RuntimeOptions } from './runtime-options.js';

export interface DatabaseSchemaHealth {
  service: string;
  /** False for anything `serve` would refuse; pending migrations are fine (serve applies them). */
  ok: boolean;
  /** `absent`: a PostgreSQL schema not created yet (the first start creates it; fine). */
  status: 'current' | 'pending' | 'too_new' | 'mismatch' | 'unreadable' | 'absent';
  /** The version the file records, when it could be read. */
  version?: number;
  latestVersion: number;
  /** One line per schema object that differs from what the migrations made (`missing trigger x`). */
  differences: string[];
  /** Why the schema could not be compared (`too_new`, `unreadable`, a checksum mismatch). */
  message?: string;
}

/** On PostgreSQL: the server as the doctor reached it. */
export interface PostgresDatabaseHealth {
  /** The URL with its password redacted. */
  url: string;
  source: 'CAIRN_DATABASE_URL' | 'storage.database_url';
  /** Reachable, server version, writable, latency (`checkPostgresHealth`). */
  connection: PostgresHealth;
}

export interface RuntimeHealth {
  home: string;
  backend: 'sqlite' | 'postgres';
  /** PostgreSQL only. */
  database?: PostgresDatabaseHealth;
  /** PostgreSQL only: the keystore schema, its key and key files (`inspectPostgresKeystore`). */
  keystore?: PostgresKeystoreInspection | undefined;
  files: FileHealth[];
  /** What the next start would tighten (nothing is changed by doctor). */
  changes: ModeChange[];
  /** What the next start would refuse outright (a symlink in the home, a file where a directory belongs). */
  refusals: string[];
  integrity: Record<string, { ok: boolean; problems?: string[] }>;
  schema: Record<string, DatabaseSchemaHealth>;
  /** Key files, temp files of interrupted writes, and every entry of backups/ (see inspectHomeFiles). */
  homeFiles: HomeFilesHealth;
  ok: boolean;
}

/**
 * `cairn doctor`, read-only: permissions of the home and its files (and what a start would
 * change or refuse), `quick_check` of each database, and each schema against this build:
 * its version (a newer one is a problem: serve refuses it) and its objects against the
 * frozen fingerprint of that version. `-wal`/`-shm` may be missing after a clean close; that
 * is not a problem. A database that is a symlink is neither opened nor checked.
 */
export async function inspectRuntime(options: RuntimeOptions = {}): Promise<RuntimeHealth> {
  const { paths, backend } = resolveRuntime(options);
  if (backend.kind === 'postgres') return inspectPostgresRuntime(paths, backend);
  const dirs = [paths.backupsDir, paths.artifactsDir].filter((dir) => exists(dir));
  const files = [
    ...checkFileModes([paths.home, ...dirs].map((path) => ({ path, expectedMode: HOME_DIR_MODE }))),
    ...databaseFileHealth(paths.gatewayDb),
    ...(existsSync(paths.keystoreDb) ? databaseFileHealth(paths.keystoreDb) : []),
    ...(exists(paths.keystoreKey) ? checkFileModes([{ path: paths.keystoreKey, expectedMode: DATABASE_FILE_MODE }]) : []),
  ];
  const { changes, refusals } = planRuntimeHardening(paths);
  const integrity: RuntimeHealth['integrity'] = {};
  const schema: RuntimeHealth['schema'] = {};
  for (const [db, set] of [
    [paths.gatewayDb, gatewayMigrations],
    [paths.keystoreDb, keystoreMigrations],
  ] as const) {
    if (!exists(db) || lstatSync(db).isSymbolicLink()) continue;
    integrity[db] = await checkDatabaseFile(db, 'quick');
    schema[db] = await inspectSchema(db, set);
  }
  const homeFiles = await inspectHomeFiles(paths);
  const filesOk = files.every((f) => f.status === 'ok' || (f.status === 'missing' && /-(wal|shm)$/.test(f.path)));
  const ok =
    filesOk &&
    refusals.length === 0 &&
    homeFiles.ok &&
    Object.values(integrity).every((r) => r.ok) &&
    Object.values(schema).every((s) => s.ok) &&
    existsSync(paths.gatewayDb);
  return { home: paths.home, backend: 'sqlite', files, changes, refusals, integrity, schema, homeFiles, ok };
}

async function inspectSchema(path: string, set: MigrationSet): Promise<DatabaseSchemaHealth> {
  const latestVersion = set.migrations.length;
  const base = { service: set.service, latestVersion, differences: [] as string[] };
  let reader;
  try {
    reader = await openSqliteDatabase({ path, readonly: true });
  } catch (error) {
    return { ...base, ok: false, status: 'unreadable', message: (error as Error).message };
  }
  try {
    try {
      await assertSchemaCompatible(reader, set);
    } catch (error) {
      if (!isMigrationError(error)) throw error;
      const version = Number(error.details?.['databaseVersion'] ?? NaN);
      return {
        ...base,
        ok: false,
        status: error.code === 'schema_too_new' ? 'too_new' : 'mismatch',
        ...(Number.isFinite(version) ? { version } : {}),
        message: error.message,
      };
    }
    const report = await checkSchemaFingerprint(reader, set);
    const differences = report.differences.map(describeSchemaDifference);
    const status = !report.ok ? 'mismatch' : report.version < latestVersion ? 'pending' : 'current';
    return { ...base, ok: report.ok, status, version: report.version, differences };
  } finally {
    await reader.destroy();
  }
}

/** Exists as a name in the directory, link or not (existsSync follows links and says false for a dangling one). */
function exists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}
