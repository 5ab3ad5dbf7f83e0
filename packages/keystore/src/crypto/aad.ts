/**
 * Additional authenticated data. Every field is length-prefixed (u32 big-endian byte count),
 * so no two different (service, id) pairs encode to the same bytes ("a" + "bc" vs "ab" + "c").
 *
 * A secret's AAD binds a domain tag with the format version, its service, its id and the key
 * id: a ciphertext copied to another row, another service or written under another key fails
 * authentication instead of decrypting to the wrong secret. The canary has its own domain tag,
 * so it can never be passed off as a secret or the other way round.
 */
const SECRET_DOMAIN = 'cairn-keystore/secret/v1';
const CANARY_DOMAIN = 'cairn-keystore/canary/v1';

export function secretAad(service: string, id: string, keyId: string): Buffer {
  return encodeFields([SECRET_DOMAIN, service, id, keyId]);
}

export function canaryAad(keyId: string): Buffer {
  return encodeFields([CANARY_DOMAIN, keyId]);
}

function encodeFields(fields: readonly string[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of fields) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.byteLength);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
