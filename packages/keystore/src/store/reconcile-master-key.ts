import { CairnError } from '@cairn/protocol';
import { canaryOpens } from '../crypto/canary.js';
import { MasterKey } from '../crypto/master-key.js';
import type { MasterKeySource } from '../key-source/master-key-source.js';
import { KEYSTORE_FORMAT_VERSION, insertKeystoreMeta, readKeystoreMeta, type KeystoreMeta } from './keystore-meta.js';
import type { KeyLockScope } from './keystore-storage.js';
import { countSecrets } from './secret-rows.js';

/**
 * Decides which master key the keystore is under, and settles any rotation left half-done.
 * MUST run inside `KeystoreStorage.withKeyLock` (the caller holds the key lock), so no other
 * process stages, promotes or discards a key file or changes `keystore_meta` meanwhile. Key
 * files change here, between the scope's transactions, never inside a write's work.
 *
 * The database's `keystore_meta.key_id` is the truth:
 * - no meta row yet (first start): adopt the source's key, creating one if it has none;
 * - meta names the current key: a staged `.next` is a rotation that never committed: discard;
 * - meta names the staged key: the rotation committed but was not promoted: promote it;
 * - meta names neither: `master_key_invalid` with both fingerprints, before any secret is read.
 *
 * `where` names the store in messages (`keystore.db`, `PostgreSQL schema cairn_keystore`).
 */
export async function reconcileMasterKey(scope: KeyLockScope, source: MasterKeySource, now: Date, where: string): Promise<MasterKey> {
  const { meta, secrets } = await scope.read(async (q) => ({ meta: await readKeystoreMeta(q), secrets: await countSecrets(q) }));
  const { current, next } = source.read();
  if (!meta) {
    if (secrets > 0) {
      throw new CairnError('master_key_invalid', `${where} holds secrets but no key record (keystore_meta): refusing to adopt a key for them`);
    }
    if (next !== undefined) source.discard();
    const key = current ?? source.create();
    await scope.write((tx) => insertKeystoreMeta(tx, key, now));
    return key;
  }
  if (meta.formatVersion !== KEYSTORE_FORMAT_VERSION) {
    throw new CairnError('schema_too_new', `${where} uses sealing format ${meta.formatVersion}, this build knows ${KEYSTORE_FORMAT_VERSION}`);
  }
  if (current?.id === meta.keyId) {
    assertCanary(meta, current, source, where);
    if (next !== undefined) source.discard();
    return current;
  }
  if (next instanceof MasterKey && next.id === meta.keyId) {
    assertCanary(meta, next, source, where);
    source.promote(next);
    return next;
  }
  const staged = next instanceof MasterKey ? next.id : (next ?? null);
  throw new CairnError(
    'master_key_invalid',
    `${where} is encrypted under master key ${meta.keyId}, but ${source.description} holds ${current ? `key ${current.id}` : 'no key'}` +
      (staged ? ` (staged: ${staged})` : ''),
    { details: { expectedKeyId: meta.keyId, providedKeyId: current?.id ?? null, stagedKeyId: staged, source: source.description } },
  );
}

function assertCanary(meta: KeystoreMeta, key: MasterKey, source: MasterKeySource, where: string): void {
  if (!canaryOpens(key, meta.canary)) {
    throw new CairnError('master_key_invalid', `master key ${key.id} from ${source.description} matches ${where}'s key id but fails its canary: keystore_meta is damaged`, {
      details: { expectedKeyId: meta.keyId, providedKeyId: key.id, source: source.description },
    });
  }
}
