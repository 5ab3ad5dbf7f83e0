import { CairnError } from '@cairn/protocol';
import { createStatements, nativeHandle, openBackupDatabase } from '@cairn/sqlite';
import { wrapKeystoreError } from '../errors/keystore-errors.js';
import { readKeystoreMeta } from '../store/keystore-meta.js';
import { asyncStatements } from '../store/keystore-storage.js';

/**
 * The id of the master key a keystore.db file (a backup, before it is restored) is encrypted
 * under, read without the key and without writing. A restore compares it with the key the
 * home's key source holds now: a backup from before a master-key rotation opens with neither.
 */
export async function keystoreFileKeyId(path: string): Promise<string> {
  let ds;
  try {
    ds = await openBackupDatabase(path);
  } catch (error) {
    throw wrapKeystoreError(error, `cannot open ${path}`);
  }
  try {
    const meta = await readKeystoreMeta(asyncStatements(createStatements(nativeHandle(ds))));
    if (!meta) throw new CairnError('invalid_params', `${path} holds no keystore (no keystore_meta row)`);
    return meta.keyId;
  } catch (error) {
    throw wrapKeystoreError(error, `cannot read ${path}`);
  } finally {
    await ds.destroy();
  }
}
