import type { SqliteStatements } from '@cairn/sqlite';
import { sealCanary } from '../crypto/canary.js';
import type { MasterKey, SealedBytes } from '../crypto/master-key.js';

type Statements = Pick<SqliteStatements, 'get' | 'run'>;

/** Bumped if the sealing scheme (AAD layout, cipher, key derivation) ever changes. */
export const KEYSTORE_FORMAT_VERSION = 1;

export interface KeystoreMeta {
  formatVersion: number;
  keyId: string;
  canary: SealedBytes;
}

export function readKeystoreMeta(db: Statements): KeystoreMeta | undefined {
  const row = db.get<{ format_version: number; key_id: string; canary_nonce: Buffer; canary_ciphertext: Buffer; canary_tag: Buffer }>(
    'SELECT format_version, key_id, canary_nonce, canary_ciphertext, canary_tag FROM keystore_meta WHERE singleton = 1',
  );
  if (!row) return undefined;
  return {
    formatVersion: Number(row.format_version),
    keyId: row.key_id,
    canary: { nonce: row.canary_nonce, ciphertext: row.canary_ciphertext, tag: row.canary_tag },
  };
}

export function insertKeystoreMeta(db: Statements, key: MasterKey, now: Date): void {
  const canary = sealCanary(key);
  db.run(
    `INSERT INTO keystore_meta (singleton, format_version, key_id, canary_nonce, canary_ciphertext, canary_tag, created_at, rotated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, NULL)`,
    [KEYSTORE_FORMAT_VERSION, key.id, canary.nonce, canary.ciphertext, canary.tag, now.toISOString()],
  );
}

/** Points the database at a new key: its id and a canary sealed under it. Part of the rotation transaction. */
export function updateKeystoreMetaKey(db: Statements, key: MasterKey, now: Date): void {
  const canary = sealCanary(key);
  db.run('UPDATE keystore_meta SET key_id = ?, canary_nonce = ?, canary_ciphertext = ?, canary_tag = ?, rotated_at = ? WHERE singleton = 1', [
    key.id,
    canary.nonce,
    canary.ciphertext,
    canary.tag,
    now.toISOString(),
  ]);
}
