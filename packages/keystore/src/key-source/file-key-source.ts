import { renameSync, unlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CairnError } from '@cairn/protocol';
import { tightenFile, type HardenOptions, type ModeChange } from '@cairn/sqlite';
import { MasterKey } from '../crypto/master-key.js';
import { KEY_FILE_MODE, fsyncKeyDirectory, readKeyFile, writeKeyFile } from './key-file.js';
import type { KeyCandidates, MasterKeySource } from './master-key-source.js';

export const KEY_FILE_NAME = 'keystore.key';
export const NEXT_KEY_SUFFIX = '.next';

/**
 * The master key in `<home>/keystore.key` (0600), generated on first start. A rotation stages
 * the new key in `keystore.key.next` and renames it over `keystore.key`: rename is atomic, so
 * at every instant the current key is one whole file, and between stage and promote both keys
 * exist on disk. Both files are written through a temp file (`writeKeyFile`), so neither name
 * ever holds a partial key, whatever instant the process dies at.
 */
export function createFileMasterKeySource(home: string): MasterKeySource {
  const keyPath = join(home, KEY_FILE_NAME);
  const nextPath = keyPath + NEXT_KEY_SUFFIX;
  const dir = dirname(keyPath);

  const readCurrent = (): MasterKey | undefined => {
    const read = readKeyFile(keyPath);
    if (read.ok) return read.key;
    if (read.reason === 'missing') return undefined;
    // Never regenerate over a damaged key file: that would orphan every secret.
    const what = read.reason === 'empty' ? 'is empty (0 bytes)' : 'is not a Cairn keystore key (expected "cairn-keystore-key v1 <base64 of 32 bytes>")';
    throw new CairnError('master_key_invalid', `key file ${keyPath} ${what}`, { details: { path: keyPath, reason: read.reason } });
  };

  return {
    kind: 'file',
    description: keyPath,
    canGenerate: true,
    read(): KeyCandidates {
      const next = readKeyFile(nextPath);
      return { current: readCurrent(), next: next.ok ? next.key : next.reason === 'missing' ? undefined : 'malformed' };
    },
    create(): MasterKey {
      const key = MasterKey.generate();
      try {
        writeKeyFile(keyPath, key, { exclusive: true });
      } catch (error) {
        const existing = readCurrent();
        if (existing) return existing;
        throw error;
      }
      return key;
    },
    stage(next: MasterKey): void {
      writeKeyFile(nextPath, next, { exclusive: false });
    },
    promote(next: MasterKey): void {
      const staged = readKeyFile(nextPath);
      if (staged.ok && staged.key.id === next.id) {
        try {
          renameSync(nextPath, keyPath);
        } catch (error) {
          throw new CairnError('storage_failed', `cannot rename ${nextPath} over ${keyPath}`, { cause: error });
        }
        fsyncKeyDirectory(dir);
        return;
      }
      // Promoted already (by another process that reconciled first) is success.
      if (readCurrent()?.id === next.id) return;
      throw new CairnError('master_key_invalid', `cannot promote master key ${next.id}: neither ${nextPath} nor ${keyPath} holds it`, {
        details: { keyId: next.id },
      });
    },
    discard(): void {
      try {
        unlinkSync(nextPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new CairnError('storage_failed', `cannot remove ${nextPath}`, { cause: error });
      }
      fsyncKeyDirectory(dir);
    },
    files() {
      return [
        { path: keyPath, expectedMode: KEY_FILE_MODE },
        { path: nextPath, expectedMode: KEY_FILE_MODE },
      ];
    },
  };
}

/**
 * Tightens the key files that exist to at most their mode (0600: `mode & 0600`, never
 * looser) and returns what changed. A key file that is a symlink is refused
 * (`symlink_refused`), never read or chmod'ed through: call this before any key is read.
 */
export function hardenKeyFiles(source: MasterKeySource, options: HardenOptions = {}): ModeChange[] {
  const changes: ModeChange[] = [];
  for (const { path, expectedMode } of source.files()) {
    const change = tightenFile(path, expectedMode, options);
    if (change) changes.push(change);
  }
  return changes;
}
