import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { SqliteStorageError } from '../errors.js';

/**
 * Rejects database paths that are empty or carry `..` segments, before anything touches the
 * disk. `..` is refused even where it would resolve inside the home: a path that climbs is a
 * configuration or injection mistake, and silently normalising it hides the mistake.
 */
export function validateDatabasePath(path: string): string {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new SqliteStorageError('invalid_path', 'database path is empty');
  }
  if (path.includes('\0')) {
    throw new SqliteStorageError('invalid_path', 'database path contains a NUL byte');
  }
  if (path === ':memory:') return path;
  const segments = path.split(/[\\/]+/);
  if (segments.includes('..')) {
    throw new SqliteStorageError('invalid_path', `database path must not contain '..' segments: ${path}`);
  }
  const absolute = isAbsolute(path) ? normalize(path) : resolve(path);
  if (absolute.endsWith(sep)) {
    throw new SqliteStorageError('invalid_path', `database path names a directory: ${path}`);
  }
  return absolute;
}
