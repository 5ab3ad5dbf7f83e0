import { createHash } from 'node:crypto';
import { CairnError } from '@cairn/protocol';
import { canonicalJson } from '../journal/canonical-json.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export interface Sealed<T> {
  /** The redacted copy (plain JSON). */
  value: T;
  /** Its canonical JSON text (RFC 8785): what is stored. */
  json: string;
  sha256: string;
  sizeBytes: number;
}

/**
 * Redacts `value` with the journal's redactor (built-in rules plus the keystore hook), so
 * records and journal payloads hide exactly the same secrets, then canonicalises and hashes
 * it: one value has one text and one hash, whoever serialised it.
 */
export function sealJson<T>(redact: (value: unknown) => unknown, value: T): Sealed<T> {
  const redacted = redact(value) as T;
  const json = canonicalJson(redacted);
  return { value: redacted, json, sha256: sha256Hex(json), sizeBytes: Buffer.byteLength(json, 'utf8') };
}

/**
 * Timestamps are compared as text in SQL, which is only sound for one spelling: the
 * `toISOString` form (UTC, milliseconds). Every timestamp that enters a row goes through here.
 */
export function normalizeTimestamp(value: string, field: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw new CairnError('invalid_params', `${field} is not a valid timestamp`, { details: { [field]: value } });
  return new Date(ms).toISOString();
}

export function addMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
