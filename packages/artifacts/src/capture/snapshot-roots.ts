import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** What a scan remembers of a file, to tell a new or modified one at turn completion. */
export interface FileState {
  root: number;
  /** Root-relative, `/`-separated. */
  path: string;
  size_bytes: number;
  mtime_ms: number;
  ino: number;
}

export interface Snapshot {
  files: Map<string, FileState>;
  /** True when the walk stopped at `maxEntries`: files past it are not seen. */
  truncated: boolean;
}

export const snapshotKey = (root: number, path: string) => `${root}\u0000${path}`;

/**
 * Walks the roots (regular files only; symlinks are never followed, so a link out of a root
 * is never captured), skipping ignored names before descending, and stopping after
 * `maxEntries` directory entries so a huge tree cannot stall a turn's completion.
 */
export async function snapshotRoots(roots: readonly string[], ignored: (path: string) => boolean, maxEntries: number): Promise<Snapshot> {
  const files = new Map<string, FileState>();
  let seen = 0;
  let truncated = false;
  for (const [index, root] of roots.entries()) {
    const pending: string[] = [''];
    while (pending.length > 0 && !truncated) {
      const relDir = pending.pop()!;
      let names: string[];
      try {
        names = (await readdir(join(root, relDir))).sort();
      } catch {
        continue;
      }
      for (const name of names) {
        if (++seen > maxEntries) {
          truncated = true;
          break;
        }
        const rel = relDir === '' ? name : `${relDir}/${name}`;
        if (ignored(rel)) continue;
        const info = await lstat(join(root, rel)).catch(() => undefined);
        if (info === undefined) continue;
        if (info.isDirectory()) pending.push(rel);
        else if (info.isFile()) files.set(snapshotKey(index, rel), { root: index, path: rel, size_bytes: info.size, mtime_ms: info.mtimeMs, ino: info.ino });
      }
    }
  }
  return { files, truncated };
}
