import { artifactError } from '../errors.js';

/** Longest name in UTF-8 bytes: what common file systems allow for one component. */
export const MAX_ARTIFACT_NAME_BYTES = 255;

/**
 * Checks an artifact's display name and returns it NFC-normalised. A name is one file name,
 * never a path: refused (`invalid_params`, details.reason `invalid_name`) when empty or only
 * spaces, `.` or `..`, longer than 255 UTF-8 bytes, or holding a slash, a backslash or a
 * control character.
 */
export function validateArtifactName(name: unknown): string {
  const fail = (why: string): never => {
    throw artifactError('invalid_params', `invalid artifact name: ${why}`, { field: 'name', reason: 'invalid_name' });
  };
  if (typeof name !== 'string') return fail('not a string');
  const normalized = name.normalize('NFC');
  if (normalized.trim().length === 0) fail('empty');
  if (normalized === '.' || normalized === '..') fail('a dot name');
  if (/[/\\]/.test(normalized)) fail('holds a path separator');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(normalized)) fail('holds a control character');
  if (Buffer.byteLength(normalized, 'utf8') > MAX_ARTIFACT_NAME_BYTES) fail(`longer than ${MAX_ARTIFACT_NAME_BYTES} bytes`);
  return normalized;
}
