import { CairnError } from '@cairn/protocol';
import { MASTER_KEY_BYTES, MasterKey } from '../crypto/master-key.js';

const HEX_RE = /^[0-9a-fA-F]{64}$/;
// 32 bytes are 43 base64 characters plus one '=' of padding (optional); standard or URL alphabet.
const BASE64_RE = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=?$/;
const BASE64URL_RE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]=?$/;

/**
 * Parses a master key given as text (`CAIRN_MASTER_KEY`): base64 (standard or URL-safe) or hex
 * of exactly 32 bytes, surrounding whitespace ignored. Anything else is `master_key_invalid`
 * with a message that names where the text came from, never the text.
 */
export function parseMasterKeyText(text: string, origin: string): MasterKey {
  const trimmed = text.trim();
  let bytes: Buffer | undefined;
  if (HEX_RE.test(trimmed)) bytes = Buffer.from(trimmed, 'hex');
  else if (BASE64_RE.test(trimmed)) bytes = Buffer.from(trimmed, 'base64');
  else if (BASE64URL_RE.test(trimmed)) bytes = Buffer.from(trimmed, 'base64url');
  if (!bytes || bytes.byteLength !== MASTER_KEY_BYTES) {
    throw new CairnError('master_key_invalid', `${origin} is not a master key: expected ${MASTER_KEY_BYTES} bytes as base64 or as 64 hex characters`, {
      details: { origin },
    });
  }
  try {
    return MasterKey.fromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}
