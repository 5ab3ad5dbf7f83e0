import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { SqliteStorageError } from '../errors.js';

/**
 * Rejects paths that are empty, padded with whitespace, carry a NUL byte or `..` segments,
 * before anything touches the disk. `..` is refused even where it would resolve inside the
 * home: a path that climbs is a configuration or injection mistake, and silently normalising
 * it hides the mistake. Leading or trailing whitespace is refused for the same reason (it is
 * almost always a stray character from an env var or a config file, and would create a
 * second, invisible database beside the real one).
 */
export function assertSafePath(path: string, what: string): void {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new SqliteStorageError('invalid_path', `${what} path is empty`);
  }
  if (path.includes('\0')) {
    throw new SqliteStorageError('invalid_path', `${what} path contains a NUL byte`);
  }
  if (path !== path.trim()) {
    throw new SqliteStorageError('invalid_path', `${what} path has leading or trailing whitespace: ${JSON.stringify(path)}`);
  }
  if (path.split(/[\\/]+/).includes('..')) {
    throw new SqliteStorageError('invalid_path', `${what} path must not contain '..' segments: ${path}`);
  }
}

/** Validates a database path (see `assertSafePath`) and returns it absolute; `:memory:` passes as is. */
export function validateDatabasePath(path: string): string {
  assertSafePath(path, 'database');
  if (path === ':memory:') return path;
  const absolute = isAbsolute(path) ? normalize(path) : resolve(path);
  if (absolute.endsWith(sep) || path.endsWith('/') || path.endsWith('\\')) {
    throw new SqliteStorageError('invalid_path', `database path names a directory: ${path}`);
  }
  return absolute;
}
