import { ID_PATTERN, LIMITS } from '@cairn/protocol';
import { artifactError } from './errors.js';

const ID = new RegExp(ID_PATTERN);
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Checks a client-suppliable id (workspace, upload) before it names anything on disk: the
 * protocol's id shape has no slash, no leading dot and no control character, so an id that
 * passes is one path component that cannot climb. Anything else is `invalid_params`, never a path.
 */
export function assertId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > LIMITS.idLength || !ID.test(value)) {
    throw artifactError('invalid_params', `${field} is not a valid id`, { field, reason: 'invalid_id' });
  }
  return value;
}

/** A lowercase hex SHA-256 digest (64 characters), or `invalid_params`. */
export function assertSha256(value: unknown, field = 'sha256'): string {
  if (typeof value !== 'string' || !SHA256.test(value)) {
    throw artifactError('invalid_params', `${field} is not a lowercase hex SHA-256`, { field, reason: 'invalid_sha256' });
  }
  return value;
}

/** True when `value` has the id shape (used to skip foreign names while listing a directory). */
export function isId(value: string): boolean {
  return value.length > 0 && value.length <= LIMITS.idLength && ID.test(value);
}

export function isSha256(value: string): boolean {
  return SHA256.test(value);
}
