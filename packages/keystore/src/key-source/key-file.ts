import { closeSync, constants, fchmodSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CairnError } from '@cairn/protocol';
import type { MasterKey } from '../crypto/master-key.js';
import { parseMasterKeyText } from './parse-master-key.js';

export const KEY_FILE_MODE = 0o600;
const HEADER = 'cairn-keystore-key v1';
const MAX_KEY_FILE_BYTES = 1024;

/** `cairn-keystore-key v1 <base64 of 32 bytes>\n`. The header names the format so a future v2 is told apart. */
export function formatKeyFile(key: MasterKey): string {
  return `${HEADER} ${key.toBase64()}\n`;
}

export type KeyFileRead = { ok: true; key: MasterKey } | { ok: false; reason: 'missing' | 'malformed' };

/** Reads a key file. Never follows a symlink (O_NOFOLLOW): the key is a regular file in the home or nothing. */
export function readKeyFile(path: string): KeyFileRead {
  let text: string;
  try {
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buffer = readFileSync(fd);
      if (buffer.byteLength > MAX_KEY_FILE_BYTES) return { ok: false, reason: 'malformed' };
      text = buffer.toString('utf8');
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
 * Writes the key file durably: created 0600 (and forced to 0600 if it existed looser), the
 * bytes fsynced, then the directory fsynced so the name survives a power loss too.
 * `exclusive` refuses to replace an existing file.
 */
export function writeKeyFile(path: string, key: MasterKey, options: { exclusive: boolean }): void {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (options.exclusive ? constants.O_EXCL : constants.O_TRUNC);
  let fd: number;
  try {
    fd = openSync(path, flags, KEY_FILE_MODE);
  } catch (error) {
    throw new CairnError('storage_failed', `cannot create key file ${path}`, { cause: error });
  }
  try {
    fchmodSync(fd, KEY_FILE_MODE);
    const bytes = Buffer.from(formatKeyFile(key), 'utf8');
    writeSync(fd, bytes);
    bytes.fill(0);
    fsyncSync(fd);
  } catch (error) {
    throw new CairnError('storage_failed', `cannot write key file ${path}`, { cause: error });
  } finally {
    closeSync(fd);
  }
  fsyncDirectory(dirname(path));
}

/** Makes a rename, create or unlink in `dir` durable. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY);
    fsyncSync(fd);
  } catch (error) {
    throw new CairnError('storage_failed', `cannot fsync directory ${dir}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
