import { CairnError } from '@cairn/protocol';
import type { SqliteStatements } from '@cairn/sqlite';
import type { MasterKey } from '../crypto/master-key.js';
import { openSecretBytes, sealSecretBytes } from '../crypto/seal-secret.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { updateKeystoreMetaKey } from './keystore-meta.js';
import { replaceSealed, selectAllSealedRows, toSealed } from './secret-rows.js';

export interface RotationResult {
  previousKeyId: string;
  keyId: string;
  /** Entries re-encrypted. */
  reencrypted: number;
}

/**
 * The transactional half of a rotation; runs inside keystore.db's write transaction.
 *
 * 1. Stage the new key durably (key file `.next`, fsynced) BEFORE any row changes: once the
 *    transaction commits, the key every row needs is already on disk.
 * 2. Re-encrypt every entry and the canary under the new key, and point `keystore_meta` at it.
 *    One transaction: a crash leaves every row under the old key or every row under the new.
 * 3. On any failure (an entry that fails authentication aborts the rotation, nothing is lost),
 *    discard the staged key while still holding the lock, so the rollback leaves no stray key.
 *
 * Promotion (`.next` over the key file) happens after COMMIT, in `SqliteKeystore`.
 */
export function rotateInTransaction(
  db: Pick<SqliteStatements, 'get' | 'run' | 'all'>,
  source: MasterKeySource,
  previous: MasterKey,
  next: MasterKey,
  now: Date,
): RotationResult {
  if (next.id === previous.id) throw new CairnError('invalid_params', 'the new master key is the current one');
  source.stage(next);
  try {
    const rows = selectAllSealedRows(db);
    for (const row of rows) {
      const plaintext = openSecretBytes(previous, row.service, row.id, toSealed(row));
      try {
        replaceSealed(db, row.service, row.id, sealSecretBytes(next, row.service, row.id, plaintext));
      } finally {
        plaintext.fill(0);
      }
    }
    updateKeystoreMetaKey(db, next, now);
    return { previousKeyId: previous.id, keyId: next.id, reencrypted: rows.length };
  } catch (error) {
    source.discard();
    throw error;
  }
}
