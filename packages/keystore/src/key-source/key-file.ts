import { closeSync, constants, openSync, readFileSync } from 'node:fs';
import { CairnError } from '@cairn/protocol';
import { fsyncDirectory, writeFileDurably } from '@cairn/sqlite';
import type { MasterKey } from '../crypto/master-key.js';
import { parseMasterKeyText } from './parse-master-key.js';

export const KEY_FILE_MODE = 0o600;
const HEADER = 'cairn-keystore-key v1';
const MAX_KEY_FILE_BYTES = 1024;

/** `cairn-keystore-key v1 <base64 of 32 bytes>\n`. The header names the format so a future v2 is told apart. */
export function formatKeyFile(key: MasterKey): string {
  return `${HEADER} ${key.toBase64()}\n`;
}

/** `empty`: the file exists with no byte in it (what an interrupted create left before keys were written crash-safely). */
export type KeyFileRead = { ok: true; key: MasterKey } | { ok: false; reason: 'missing' | 'empty' | 'malformed' };

/** Reads a key file. Never follows a symlink (O_NOFOLLOW): the key is a regular file in the home or nothing. */
export function readKeyFile(path: string): KeyFileRead {
  let text: string;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buffer = readFileSync(fd);
      if (buffer.byteLength === 0) return { ok: false, reason: 'empty' };
      text = buffer.byteLength > MAX_KEY_FILE_BYTES ? '' : buffer.toString('utf8');
      buffer.fill(0);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'missing' };
    if (code === 'ELOOP') return { ok: false, reason: 'malformed' };
    throw new CairnError('storage_failed', `cannot read key file ${path}`, { cause: error });
  }
  const parts = text.trim().split(' ');
  if (parts.length !== 3 || `${parts[0]} ${parts[1]}` !== HEADER) return { ok: false, reason: 'malformed' };
  try {
    return { ok: true, key: parseMasterKeyText(parts[2]!, path) };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
}

/**
 * Writes the key file crash-safely (`writeFileDurably`): the bytes go to a temp file created
 * 0600 before any byte is written, are fsynced, and only then get the final name (a link for
 * `exclusive`, which refuses an existing file; a rename over it otherwise), and the directory
 * is fsynced. So `path` never names a partial key: a crash leaves the old state (no file, or
 * the previous key) plus at most a temp file that the next open removes.
 */
export function writeKeyFile(path: string, key: MasterKey, options: { exclusive: boolean }): void {
  const bytes = Buffer.from(formatKeyFile(key), 'utf8');
  try {
    writeFileDurably(path, bytes, { mode: KEY_FILE_MODE, commit: options.exclusive ? 'create' : 'replace' });
  } catch (error) {
    const exists = (error as { code?: unknown }).code === 'file_exists';
    throw new CairnError('storage_failed', exists ? `key file ${path} already exists` : `cannot write key file ${path}`, { cause: error });
  } finally {
    bytes.fill(0);
  }
}

/** Makes a rename, create or unlink in `dir` durable. */
export function fsyncKeyDirectory(dir: string): void {
  try {
    fsyncDirectory(dir);
  } catch (error) {
    throw new CairnError('storage_failed', `cannot fsync directory ${dir}`, { cause: error });
  }
}

export type KeyFileStatus = 'ok' | Extract<KeyFileRead, { ok: false }>['reason'];

/** What `cairn doctor` reports about a key file: whether it holds a key, and which (its id, never the key). */
export function inspectKeyFile(path: string): { path: string; status: KeyFileStatus; keyId?: string } {
  const read = readKeyFile(path);
  return read.ok ? { path, status: 'ok', keyId: read.key.id } : { path, status: read.reason };
}
