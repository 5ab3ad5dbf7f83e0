import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { SqliteStorageError, sqliteCodeOf } from '../errors.js';
import { nativeHandle, type NativeDatabase } from '../open/native.js';

export type IntegrityResult = { ok: true } | { ok: false; problems: string[] };

export interface IntegrityCheckOptions {
  /** Most problems SQLite reports before it stops looking. Default 100. */
  maxErrors?: number;
}

export type IntegrityMode = 'quick' | 'full';

/**
 * `PRAGMA quick_check`: page structure, record formats, NOT NULL and CHECK constraints, in
 * time linear in the file size. It skips what `integrityCheck` adds (index content against
 * table content, UNIQUE, foreign keys), which is why startup runs this one.
 *
 * Async although SQLite answers synchronously today, so that a long check can move to a
 * worker thread without changing callers.
 */
export async function quickCheck(dataSource: DataSource, options: IntegrityCheckOptions = {}): Promise<IntegrityResult> {
  return runCheck(nativeHandle(dataSource), 'quick', options);
}

/** `PRAGMA integrity_check` plus `PRAGMA foreign_key_check`: everything SQLite can verify. */
export async function integrityCheck(dataSource: DataSource, options: IntegrityCheckOptions = {}): Promise<IntegrityResult> {
  return runCheck(nativeHandle(dataSource), 'full', options);
}

/**
 * Checks a database file that nobody needs to keep open (a backup, a copy under repair):
 * opens it read-only, checks, closes. A file SQLite cannot read as a database at all, or one
 * with a hot journal beside it, is reported as a problem, not thrown.
 */
export async function checkDatabaseFile(path: string, mode: IntegrityMode = 'full', options: IntegrityCheckOptions = {}): Promise<IntegrityResult> {
  let db: NativeDatabase;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (error) {
    if (isCorruption(error)) return { ok: false, problems: [describe(error)] };
    throw new SqliteStorageError('open_failed', `cannot open ${path} for an integrity check: ${describe(error)}`, { cause: error });
  }
  try {
    return runCheck(db, mode, options);
  } finally {
    db.close();
  }
}

function runCheck(db: NativeDatabase, mode: IntegrityMode, options: IntegrityCheckOptions): IntegrityResult {
  const maxErrors = Math.max(1, Math.floor(options.maxErrors ?? 100));
  const pragma = mode === 'quick' ? 'quick_check' : 'integrity_check';
  try {
    const rows = db.pragma(`${pragma}(${maxErrors})`) as Array<Record<string, unknown>>;
    const problems = rows.map((row) => String(Object.values(row)[0])).filter((line) => line !== 'ok');
    if (mode === 'full') problems.push(...foreignKeyProblems(db, maxErrors - problems.length));
    return problems.length === 0 ? { ok: true } : { ok: false, problems };
  } catch (error) {
    // A page too damaged to walk makes the pragma itself fail; that is a finding, not a fault.
    if (isCorruption(error)) return { ok: false, problems: [describe(error)] };
    throw new SqliteStorageError('storage_failed', `${pragma} failed: ${describe(error)}`, { cause: error });
  }
}

function foreignKeyProblems(db: NativeDatabase, limit: number): string[] {
  if (limit <= 0) return [];
  const rows = db.prepare('PRAGMA foreign_key_check').all() as Array<{ table: string; rowid: number | null; parent: string; fkid: number }>;
  return rows
    .slice(0, limit)
    .map((r) => `foreign key violation: ${r.table} rowid ${r.rowid ?? '?'} references missing row in ${r.parent} (constraint ${r.fkid})`);
}

/**
 * Findings about the file, not faults of the check: damage SQLite trips over, and a hot
 * rollback journal beside a file opened read-only (`SQLITE_READONLY_ROLLBACK`: a write was
 * interrupted, and what the file holds depends on rolling the journal back, which a
 * read-only check must not do).
 */
function isCorruption(error: unknown): boolean {
  const code = sqliteCodeOf(error);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code === 'SQLITE_READONLY_ROLLBACK');
}

function describe(error: unknown): string {
  const code = sqliteCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_READONLY_ROLLBACK') {
    return `hot journal beside the file: a write to it was interrupted, and its content is not what it will be once the journal is rolled back (${code})`;
  }
  return code ? `${message} (${code})` : message;
}
