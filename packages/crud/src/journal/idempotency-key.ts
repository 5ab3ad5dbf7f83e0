import { createHash } from 'node:crypto';

const TAG = 'cairn.idempotency.v1\n';

/**
 * How an idempotency key is stored: `k1.` and the base64url SHA-256 of the tagged key. A
 * client may put anything in a key (a prompt hash, an API call id, by mistake a token), so
 * gateway.db never holds it as given; equality, which is all idempotency needs, survives the
 * hash. The tag keeps this digest from matching any other hash Cairn stores.
 */
export function idempotencyDigest(key: string): string {
  return `k1.${createHash('sha256').update(TAG).update(key, 'utf8').digest('base64url')}`;
}
