import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CairnError } from '@cairn/protocol';
import { getOrCreateEntry } from '../entry/internal-entry.js';
import type { Keystore } from '../keystore.js';

/** Where the data key lives: an ordinary keystore entry, so a master-key rotation re-seals it like any other. */
export const HELD_TEXT_KEY = { service: 'cairn', id: 'held-text-key' } as const;

const FORMAT = 'h1.';
const AAD = Buffer.from('cairn held-text v1', 'utf8');
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals the few characters of streamed text that are held back because they may be the
 * beginning of a secret (`SecretRedactor.split`). The sealed form is what gateway.db stores
 * until the next piece arrives, so an acknowledged delta survives a crash without its held
 * tail ever being on disk in the clear.
 */
export interface HeldTextSealer {
  /** `h1.<base64url(nonce | ciphertext | tag)>`, AES-256-GCM under the data key. */
  seal(text: string): string;
  /** The text, or undefined when `sealed` was not made by this key (the entry was deleted or replaced) or was altered. */
  open(sealed: string): string | undefined;
}

/**
 * The sealer of this keystore: its data key is a random 256-bit key kept as the keystore
 * entry `cairn/held-text-key` (created on first use). Not derived from the master key, so a
 * master-key rotation leaves held text readable.
 */
export async function createHeldTextSealer(keystore: Keystore): Promise<HeldTextSealer> {
  const encoded = await getOrCreateEntry(keystore, HELD_TEXT_KEY, () => randomBytes(KEY_BYTES).toString('base64'), {
    kind: 'generic',
    label: 'internal: seals streamed text held back from gateway.db',
  });
  const key = Buffer.from(encoded, 'base64');
  if (key.byteLength !== KEY_BYTES) {
    throw new CairnError('master_key_invalid', `keystore entry ${HELD_TEXT_KEY.service}/${HELD_TEXT_KEY.id} is not a ${KEY_BYTES}-byte key`);
  }
  return {
    seal(text) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(AAD);
      const body = Buffer.concat([nonce, cipher.update(text, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return FORMAT + body.toString('base64url');
    },
    open(sealed) {
      if (!sealed.startsWith(FORMAT)) return undefined;
      const body = Buffer.from(sealed.slice(FORMAT.length), 'base64url');
      if (body.byteLength < NONCE_BYTES + TAG_BYTES) return undefined;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
        decipher.setAAD(AAD);
        decipher.setAuthTag(body.subarray(body.byteLength - TAG_BYTES));
        return Buffer.concat([decipher.update(body.subarray(NONCE_BYTES, body.byteLength - TAG_BYTES)), decipher.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
