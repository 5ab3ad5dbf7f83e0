import { CairnError } from '@cairn/protocol';
import type { MasterKey } from '../crypto/master-key.js';
import { openSecretBytes, sealSecretBytes } from '../crypto/seal-secret.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { readKeystoreMeta, updateKeystoreMetaKey } from './keystore-meta.js';
import type { KeyLockScope, KeystoreStatements } from './keystore-storage.js';
import { replaceSealed, selectAllSealedRows, toSealed } from './secret-rows.js';

export interface RotationResult {
  previousKeyId: string;
  keyId: string;
  /** Entries re-encrypted. */
  reencrypted: number;
}

/**
 * The first half of a rotation; runs under the key lock.
 *
 * 1. Stage the new key durably (key file `.next`, fsynced) BEFORE any row changes: once the
 *    transaction commits, the key every row needs is already on disk.
 * 2. In one write transaction, re-encrypt every entry and the canary under the new key and
 *    point `keystore_meta` at it: a crash leaves every row under the old key or every row
 *    under the new. An entry that fails authentication aborts it (nothing is lost).
 *
 * Settling comes after, under the key lock again (`reconcileMasterKey`): it promotes the staged
 * key if the database names it and discards it if not, so a failed or interrupted rotation
 * (even one whose COMMIT had an unknown outcome) never leaves a stray key nor loses the one
 * the database needs.
 */
export async function stageAndReencrypt(scope: KeyLockScope, source: MasterKeySource, previous: MasterKey, next: MasterKey, now: Date): Promise<RotationResult> {
  if (next.id === previous.id) throw new CairnError('invalid_params', 'the new master key is the current one');
  source.stage(next);
  return scope.write(async (tx) => {
    // Under the key lock nobody else moves the key; a database that names another one means the
    // caller's key is stale, and re-encrypting would mix keys.
    const meta = await readKeystoreMeta(tx);
    if (meta?.keyId !== previous.id) {
      throw new CairnError('master_key_invalid', `the keystore moved to master key ${meta?.keyId ?? '(none)'} before this rotation from ${previous.id}`, {
        details: { expectedKeyId: meta?.keyId ?? null, providedKeyId: previous.id },
      });
    }
    return { previousKeyId: previous.id, keyId: next.id, reencrypted: await reencryptAll(tx, previous, next, now) };
  });
}

async function reencryptAll(tx: KeystoreStatements, previous: MasterKey, next: MasterKey, now: Date): Promise<number> {
  const rows = await selectAllSealedRows(tx);
  for (const row of rows) {
    const plaintext = openSecretBytes(previous, row.service, row.id, toSealed(row));
    try {
      await replaceSealed(tx, row.service, row.id, sealSecretBytes(next, row.service, row.id, plaintext));
    } finally {
      plaintext.fill(0);
    }
  }
  await updateKeystoreMetaKey(tx, next, now);
  return rows.length;
}
