import { sealCanary } from '../crypto/canary.js';
import type { MasterKey, SealedBytes } from '../crypto/master-key.js';
import type { KeystoreStatements } from './keystore-storage.js';

/** Bumped if the sealing scheme (AAD layout, cipher, key derivation) ever changes. */
export const KEYSTORE_FORMAT_VERSION = 1;

export interface KeystoreMeta {
  formatVersion: number;
  keyId: string;
  canary: SealedBytes;
}

export async function readKeystoreMeta(db: KeystoreStatements): Promise<KeystoreMeta | undefined> {
  const row = await db.get<{ format_version: number; key_id: string; canary_nonce: Buffer; canary_ciphertext: Buffer; canary_tag: Buffer }>(
    'SELECT format_version, key_id, canary_nonce, canary_ciphertext, canary_tag FROM keystore_meta WHERE singleton = 1',
  );
  if (!row) return undefined;
  return {
    formatVersion: Number(row.format_version),
    keyId: row.key_id,
    canary: { nonce: row.canary_nonce, ciphertext: row.canary_ciphertext, tag: row.canary_tag },
  };
}

export async function insertKeystoreMeta(db: KeystoreStatements, key: MasterKey, now: Date): Promise<void> {
  const canary = sealCanary(key);
  await db.run(
    `INSERT INTO keystore_meta (singleton, format_version, key_id, canary_nonce, canary_ciphertext, canary_tag, created_at, rotated_at)
     VALUES (1, ?, ?, ?, ?, ?, ?, NULL)`,
    [KEYSTORE_FORMAT_VERSION, key.id, canary.nonce, canary.ciphertext, canary.tag, now.toISOString()],
  );
}

/** Points the database at a new key: its id and a canary sealed under it. Part of the rotation transaction. */
export async function updateKeystoreMetaKey(db: KeystoreStatements, key: MasterKey, now: Date): Promise<void> {
  const canary = sealCanary(key);
  await db.run('UPDATE keystore_meta SET key_id = ?, canary_nonce = ?, canary_ciphertext = ?, canary_tag = ?, rotated_at = ? WHERE singleton = 1', [
    key.id,
    canary.nonce,
    canary.ciphertext,
    canary.tag,
    now.toISOString(),
  ]);
}
