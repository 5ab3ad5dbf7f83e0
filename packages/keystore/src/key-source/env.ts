import { createFileMasterKeySource } from './file-key-source.js';
import type { MasterKeySource } from './master-key-source.js';
import { parseMasterKeyText } from './parse-master-key.js';
import { createStaticMasterKeySource } from './static-key-source.js';

export const MASTER_KEY_ENV = 'CAIRN_MASTER_KEY';

/** The only place this package reads `process.env`. */
export function readMasterKeyEnv(): string | undefined {
  return process.env[MASTER_KEY_ENV];
}

/**
 * The default source: `CAIRN_MASTER_KEY` when set and non-empty (a malformed value is
 * `master_key_invalid`, never a silent fallback to the file), else `<home>/keystore.key`.
 */
export function masterKeySourceFor(home: string, envValue: string | undefined = readMasterKeyEnv()): MasterKeySource {
  if (envValue !== undefined && envValue.trim() !== '') {
    return createStaticMasterKeySource(parseMasterKeyText(envValue, MASTER_KEY_ENV), { kind: 'env', description: MASTER_KEY_ENV });
  }
  return createFileMasterKeySource(home);
}
