import { canaryAad } from './aad.js';
import type { MasterKey, SealedBytes } from './master-key.js';

const CANARY_PLAINTEXT = 'cairn-keystore canary v1';

/**
 * A known plaintext sealed under the master key and kept in `keystore_meta`. The key id
 * already tells a wrong key from the right one; the canary proves the key actually decrypts
 * (and catches a meta row whose key id was edited), before any secret is read.
 */
export function sealCanary(key: MasterKey): SealedBytes {
  return key.seal(canaryAad(key.id), Buffer.from(CANARY_PLAINTEXT, 'utf8'));
}

export function canaryOpens(key: MasterKey, canary: SealedBytes): boolean {
  const plaintext = key.open(canaryAad(key.id), canary);
  return plaintext !== undefined && plaintext.toString('utf8') === CANARY_PLAINTEXT;
}
