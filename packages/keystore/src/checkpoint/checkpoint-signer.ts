import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { CairnError } from '@cairn/protocol';
import { getOrCreateEntry } from '../entry/internal-entry.js';
import type { Keystore } from '../keystore.js';

/**
 * Where the journal signing key lives: an ordinary keystore entry (sealed under the master key
 * like any secret, re-sealed by a rotation), never in gateway.db. A random key, not one
 * derived from the master key: a master-key rotation must leave every checkpoint signed so
 * far verifiable (a derived key would change with it, and every checkpoint would look forged
 * or have to be re-signed by whoever rotates, which is exactly what a signature should not
 * depend on).
 */
export const JOURNAL_SIGNING_KEY = { service: 'cairn', id: 'journal-signing-key' } as const;

/**
 * The entry holds the key's 32-byte seed (base64), like any other random key the keystore
 * keeps, not its PKCS#8 form: that starts with the same 16 bytes for every Ed25519 key, and
 * the redactor, which holds back streamed text that may begin a stored value, would then hold
 * back any text that happens to begin like one.
 */
const SEED_BYTES = 32;
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface CheckpointSigner {
  /** 16 hex digits of SHA-256 over the public key (SPKI DER): names the key in each record. */
  readonly keyId: string;
  /** The Ed25519 public key (SPKI DER, base64): enough to check a copy of the records anywhere. */
  readonly publicKey: string;
  /** Ed25519 signature, base64url. */
  sign(message: Buffer): string;
  verify(message: Buffer, signature: string): boolean;
}

/**
 * The signer of this keystore: its Ed25519 key is the entry `cairn/journal-signing-key`,
 * created on first use; with `create: false` (a read-only caller such as `cairn verify`),
 * undefined when there is none yet.
 */
export async function createCheckpointSigner(keystore: Keystore): Promise<CheckpointSigner>;
export async function createCheckpointSigner(keystore: Keystore, options: { create: false }): Promise<CheckpointSigner | undefined>;
export async function createCheckpointSigner(keystore: Keystore, options: { create?: boolean } = {}): Promise<CheckpointSigner | undefined> {
  let encoded: string | undefined;
  if (options.create === false) {
    encoded = await keystore.get(JOURNAL_SIGNING_KEY.service, JOURNAL_SIGNING_KEY.id);
    if (encoded === undefined) return undefined;
  } else {
    encoded = await getOrCreateEntry(
      keystore,
      JOURNAL_SIGNING_KEY,
      () => generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.byteLength).toString('base64'),
      { kind: 'generic', label: 'internal: signs the checkpoints of the journal in gateway.db' },
    );
  }
  let privateKey: KeyObject;
  try {
    const seed = Buffer.from(encoded, 'base64');
    if (seed.byteLength !== SEED_BYTES) throw new Error(`not ${SEED_BYTES} bytes`);
    privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new CairnError('master_key_invalid', `keystore entry ${JOURNAL_SIGNING_KEY.service}/${JOURNAL_SIGNING_KEY.id} is not an Ed25519 key`, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new CairnError('master_key_invalid', `keystore entry ${JOURNAL_SIGNING_KEY.service}/${JOURNAL_SIGNING_KEY.id} is not an Ed25519 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return {
    keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    publicKey: spki.toString('base64'),
    sign: (message) => sign(null, message, privateKey).toString('base64url'),
    verify: (message, signature) => {
      try {
        return verify(null, message, publicKey, Buffer.from(signature, 'base64url'));
      } catch {
        return false;
      }
    },
  };
}
