import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { SqliteStorageError, isSqliteStorageError, sqliteCodeOf } from '../errors.js';
import { validateDatabasePath } from '../files/validate-path.js';
import {
  HOME_DIR_MODE,
  assertNoSymlinks,
  databaseFileSet,
  createDatabaseFile,
  hardenDatabaseFiles,
  type ModeChange,
} from '../files/permissions.js';

/**
 * `NORMAL` (the default): in WAL mode every committed transaction survives a crash of the
 * process (SIGKILL included); an OS crash or power loss may roll back the last commits but
 * never corrupts the file. `FULL` also fsyncs the WAL on every commit, for power-loss
 * durability at the cost of one fsync per transaction (group commit amortises it).
 */
export type SynchronousLevel = 'NORMAL' | 'FULL' | 'EXTRA';

const SYNCHRONOUS_VALUE: Record<SynchronousLevel, number> = { NORMAL: 1, FULL: 2, EXTRA: 3 };

/** Ten times SQLite's default: fewer, larger checkpoints (see the README, "Checkpoints"). */
const DEFAULT_WAL_AUTOCHECKPOINT_PAGES = 10_000;

export interface OpenSqliteOptions {
  path: string;
  synchronous?: SynchronousLevel;
  /** How long SQLite itself waits on a lock held by another process. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * WAL pages after which a commit checkpoints the WAL into the main file (`wal_autocheckpoint`).
   * Default 10,000 (~40 MB of 4 KiB pages), SQLite's own is 1,000: see "Checkpoints" in the
   * README for what the larger window buys and costs. 0 turns automatic checkpoints off.
   */
  walAutocheckpointPages?: number;
  readonly?: boolean;
  entities?: DataSourceOptions['entities'];
  logging?: boolean;
  /** Told about every permission the open tightened (the file, `-wal`, `-shm`), so the caller can log it. */
  onModeChange?: (change: ModeChange) => void;
}

export interface SqlitePragmaReport {
  journalMode: string;
  busyTimeoutMs: number;
  walAutocheckpointPages: number;
  foreignKeys: boolean;
  synchronous: SynchronousLevel | 'OFF';
}

/**
 * Opens a SQLite file as a TypeORM DataSource on the better-sqlite3 driver and asserts the
 * pragmas the rest of Cairn relies on. Fails hard, with `wal_unavailable`, rather than
 * silently running in rollback-journal mode (where readers would block the writer).
 */
export async function openSqliteDatabase(options: OpenSqliteOptions): Promise<DataSource> {
  const path = validateDatabasePath(options.path);
  const synchronous = options.synchronous ?? 'NORMAL';
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const walAutocheckpointPages = options.walAutocheckpointPages ?? DEFAULT_WAL_AUTOCHECKPOINT_PAGES;
  const readonly = options.readonly ?? false;
  const reportChanges = (changes: readonly ModeChange[]) => changes.forEach((change) => options.onModeChange?.(change));
  if (path !== ':memory:') {
    // Never open (or chmod) through a link: a gateway.db or -wal pointing out of the home
    // would make SQLite write, and hardening chmod, a file that is not ours.
    assertNoSymlinks(databaseFileSet(path));
    if (!readonly) reportChanges(prepareFile(path));
  }

  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: path,
    driver: Database,
    readonly,
    fileMustExist: readonly,
    timeout: busyTimeoutMs,
    statementCacheSize: 500,
    entities: options.entities ?? [],
    logging: options.logging ?? false,
    prepareDatabase: (db: Database.Database) => {
      // TypeORM has not stored the handle yet, so a throw here would leak it (and its file
      // descriptors) until GC: close it before failing.
      try {
        db.pragma(`busy_timeout = ${busyTimeoutMs}`);
        if (!readonly) enableWal(db, path);
        db.pragma(`synchronous = ${SYNCHRONOUS_VALUE[synchronous]}`);
        db.pragma(`wal_autocheckpoint = ${walAutocheckpointPages}`);
      } catch (error) {
        db.close();
        throw error;
      }
    },
  });
  try {
    await dataSource.initialize();
  } catch (cause) {
    if (isSqliteStorageError(cause)) throw cause;
    throw new SqliteStorageError('open_failed', `cannot open database ${path}: ${(cause as Error).message}`, { cause });
  }
  try {
    const report = await readPragmas(dataSource);
    assertPragmas(path, report, { synchronous, busyTimeoutMs, walAutocheckpointPages, readonly });
    // No second hardening pass here, once SQLite has the files open: opening and closing a
    // descriptor of a file this process has locked drops every POSIX lock the process holds
    // on it (fcntl semantics), SQLite's too, so another process could take the file or reset
    // the -shm under this connection. prepareFile tightened the file and any -wal/-shm before
    // the open; a -wal/-shm SQLite creates gets the mode of the database file, already <= 0600.
  } catch (error) {
    await dataSource.destroy();
    if (isSqliteStorageError(error)) throw error;
    throw new SqliteStorageError('open_failed', `cannot read pragmas of ${path}: ${(error as Error).message}`, { cause: error });
  }
  return dataSource;
}

export async function readPragmas(dataSource: DataSource): Promise<SqlitePragmaReport> {
  const one = async (name: string): Promise<unknown> => {
    const rows = (await dataSource.query(`PRAGMA ${name}`)) as Array<Record<string, unknown>>;
    const row = rows[0] ?? {};
    return Object.values(row)[0];
  };
  const syncValue = Number(await one('synchronous'));
  const level = (Object.entries(SYNCHRONOUS_VALUE).find(([, v]) => v === syncValue)?.[0] ?? 'OFF') as SynchronousLevel | 'OFF';
  return {
    journalMode: String(await one('journal_mode')).toLowerCase(),
    busyTimeoutMs: Number(await one('busy_timeout')),
    walAutocheckpointPages: Number(await one('wal_autocheckpoint')),
    foreignKeys: Number(await one('foreign_keys')) === 1,
    synchronous: level,
  };
}

function assertPragmas(
  path: string,
  report: SqlitePragmaReport,
  expected: { synchronous: SynchronousLevel; busyTimeoutMs: number; walAutocheckpointPages: number; readonly: boolean },
): void {
  const memory = path === ':memory:';
  if (!memory && report.journalMode !== 'wal') {
    throw new SqliteStorageError('wal_unavailable', `journal_mode is '${report.journalMode}', expected 'wal' on ${path}`, {
      details: { path, journalMode: report.journalMode },
    });
  }
  const mismatches: string[] = [];
  if (report.busyTimeoutMs !== expected.busyTimeoutMs) mismatches.push(`busy_timeout=${report.busyTimeoutMs}`);
  if (report.walAutocheckpointPages !== expected.walAutocheckpointPages) mismatches.push(`wal_autocheckpoint=${report.walAutocheckpointPages}`);
  if (!report.foreignKeys) mismatches.push('foreign_keys=OFF');
  if (report.synchronous !== expected.synchronous) mismatches.push(`synchronous=${report.synchronous}`);
  if (mismatches.length > 0) {
    throw new SqliteStorageError('pragma_mismatch', `pragmas not as required on ${path}: ${mismatches.join(', ')}`, {
      details: { path, mismatches },
    });
  }
}

function enableWal(db: Database.Database, path: string): void {
  try {
    db.pragma('journal_mode = WAL');
  } catch (cause) {
    const code = sqliteCodeOf(cause) ?? '';
    if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
      throw new SqliteStorageError('open_failed', `${path} is not a readable SQLite database: ${(cause as Error).message}`, {
        cause,
        details: { path, sqliteCode: code },
      });
    }
    // Typically SQLITE_READONLY_DIRECTORY / SQLITE_CANTOPEN: the `-wal` file cannot be created.
    throw new SqliteStorageError('wal_unavailable', `cannot enable WAL on ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
}

/**
 * Creates the parent directory 0700 and the database file 0600 before SQLite opens it, and
 * tightens an existing file (and `-wal`/`-shm`) that is looser, never loosening one. SQLite
 * gives `-wal` and `-shm` the mode of the main file, so doing this first means no sibling
 * file is ever briefly world-readable. Every file is opened with O_NOFOLLOW and changed
 * through that descriptor (`symlink_refused` for a link). What remains: a link swapped in
 * between this check and SQLite's own open, which needs write access to the 0700 home.
 */
function prepareFile(path: string): ModeChange[] {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: HOME_DIR_MODE });
  } catch (cause) {
    throw new SqliteStorageError('open_failed', `cannot prepare database file ${path}: ${(cause as Error).message}`, { cause });
  }
  const created = createDatabaseFile(path);
  return [...(created ? [created] : []), ...hardenDatabaseFiles(path)];
}
