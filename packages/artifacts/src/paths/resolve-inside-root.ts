import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { artifactError } from '../errors.js';

function escape(reason: string, path: string): never {
  throw artifactError('invalid_params', 'the path is not inside the root', { path, reason });
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `path`, relative to `root`, to its real location and proves it stays inside the
 * real root. Refused with `invalid_params` (details.reason): an empty path or one with a NUL
 * (`invalid_path`), an absolute path (`absolute_path`), a `..` segment even when it would
 * land inside again (`parent_segment`), and anything whose real path, after every symlink
 * (the file itself or any parent directory), lies outside (`symlink_escape`). A path that
 * does not exist yet is checked through its nearest existing ancestor. Returns the real path.
 */
export async function resolveInsideRoot(root: string, path: string): Promise<string> {
  if (typeof path !== 'string' || path.length === 0 || path.includes('\0')) escape('invalid_path', String(path));
  if (isAbsolute(path) || /^[A-Za-z]:[\\/]/.test(path)) escape('absolute_path', path);
  if (path.split(/[\\/]/).includes('..')) escape('parent_segment', path);
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch (error) {
    throw artifactError('not_found', 'the root does not exist', { reason: 'missing_root' }, error);
  }
  const target = join(realRoot, path);
  let existing = target;
  let rest = '';
  for (;;) {
    try {
      const real = await realpath(existing);
      const resolved = rest === '' ? real : join(real, rest);
      if (!isInside(realRoot, resolved)) escape('symlink_escape', path);
      return resolved;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(existing);
      if (parent === existing) escape('symlink_escape', path);
      rest = rest === '' ? relative(parent, existing) : join(relative(parent, existing), rest);
      existing = parent;
    }
  }
}
