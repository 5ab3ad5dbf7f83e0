import { CairnError } from '@cairn/protocol';
import { secretAad } from './aad.js';
import type { MasterKey, SealedBytes } from './master-key.js';

/** One stored secret: the key that sealed it and the AES-256-GCM output. */
export interface SealedSecret extends SealedBytes {
  keyId: string;
}

export function sealSecretBytes(key: MasterKey, service: string, id: string, plaintext: Buffer): SealedSecret {
  return { keyId: key.id, ...key.seal(secretAad(service, id, key.id), plaintext) };
}

export function sealSecret(key: MasterKey, service: string, id: string, value: string): SealedSecret {
  const plaintext = Buffer.from(value, 'utf8');
  try {
    return sealSecretBytes(key, service, id, plaintext);
  } finally {
    plaintext.fill(0);
  }
}

/**
 * The plaintext bytes; throws `decryption_failed` naming the entry and the key ids (never a
 * value) when the row was sealed under another key or fails authentication. Zero the result
 * when done with it.
 */
export function openSecretBytes(key: MasterKey, service: string, id: string, sealed: SealedSecret): Buffer {
  const details = { service, id, keyId: sealed.keyId, currentKeyId: key.id };
  if (sealed.keyId !== key.id) {
    throw new CairnError('decryption_failed', `secret ${service}/${id} was sealed under master key ${sealed.keyId}, the keystore key is ${key.id}`, {
      details,
    });
  }
  const plaintext = key.open(secretAad(service, id, sealed.keyId), sealed);
  if (!plaintext) {
    throw new CairnError(
      'decryption_failed',
      `secret ${service}/${id} failed authentication: its ciphertext was altered, moved from another entry, or written under another key`,
      { details },
    );
  }
  return plaintext;
}

export function openSecret(key: MasterKey, service: string, id: string, sealed: SealedSecret): string {
  const plaintext = openSecretBytes(key, service, id, sealed);
  try {
    return plaintext.toString('utf8');
  } finally {
    plaintext.fill(0);
  }
}
