import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { CairnError } from '@cairn/protocol';

export const MASTER_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID_LABEL = 'cairn-keystore key-id v1';
const ENCRYPTION_KEY_INFO = 'cairn-keystore aes-256-gcm v1';

export interface SealedBytes {
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * The keystore's 32-byte master key. The bytes never leave this object except through
 * `toBase64` (for the key file); `inspect`, `JSON.stringify` and string conversion show only
 * the key id.
 *
 * Two keys are derived from the master key, never the master key used directly:
 * - `id`: HMAC-SHA256(master, "cairn-keystore key-id v1"), first 8 bytes in hex. It names the
 *   key in keystore.db and in errors; it is a MAC under the key, so it reveals nothing about it
 *   (a plain hash of a key is a guessable oracle for low-entropy keys; an HMAC label is not).
 * - the AES-256-GCM key: HKDF-SHA256(master, info "cairn-keystore aes-256-gcm v1").
 */
export class MasterKey {
  readonly id: string;
  readonly #bytes: Buffer;
  readonly #encryptionKey: Buffer;

  private constructor(bytes: Buffer) {
    this.#bytes = bytes;
    this.id = createHmac('sha256', bytes).update(KEY_ID_LABEL).digest().subarray(0, 8).toString('hex');
    this.#encryptionKey = Buffer.from(hkdfSync('sha256', bytes, Buffer.alloc(0), ENCRYPTION_KEY_INFO, 32));
  }

  static fromBytes(bytes: Uint8Array): MasterKey {
    if (bytes.byteLength !== MASTER_KEY_BYTES) {
      throw new CairnError('master_key_invalid', `a master key is exactly ${MASTER_KEY_BYTES} bytes`);
    }
    return new MasterKey(Buffer.from(bytes));
  }

  static generate(): MasterKey {
    return new MasterKey(randomBytes(MASTER_KEY_BYTES));
  }

  /** The key's bytes as base64: what `keystore.key` and `CAIRN_MASTER_KEY` hold. Handle as a secret. */
  toBase64(): string {
    return this.#bytes.toString('base64');
  }

  /** AES-256-GCM with a fresh random 96-bit nonce; `aad` is authenticated, not stored. */
  seal(aad: Buffer, plaintext: Buffer): SealedBytes {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { nonce, ciphertext, tag: cipher.getAuthTag() };
  }

  /** The plaintext, or undefined when authentication fails (wrong key, other AAD, tampered bytes). */
  open(aad: Buffer, sealed: SealedBytes): Buffer | undefined {
    if (sealed.nonce.byteLength !== NONCE_BYTES || sealed.tag.byteLength !== TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, sealed.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.tag);
      return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  toJSON(): { keyId: string } {
    return { keyId: this.id };
  }

  toString(): string {
    return `MasterKey(${this.id})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
