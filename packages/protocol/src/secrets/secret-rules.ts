import { LIMITS } from '../common/limits.js';

/*
 * The rules for a secret's address `(service, id)`, shared by the keystore (which enforces
 * them on every call) and by refs (which must never name an entry the keystore would refuse).
 * They live in protocol because crud and config check refs without importing the keystore.
 * The sizes are `LIMITS.secret`.
 */
const SECRET = LIMITS.secret;

/** A service is a slug: lowercase letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const SECRET_SERVICE_PATTERN = `^[a-z0-9][a-z0-9._-]{0,${SECRET.serviceMaxLength - 1}}$`;
const SERVICE_RE = new RegExp(SECRET_SERVICE_PATTERN);

export type SecretIdRule =
  | 'not_a_string'
  | 'empty'
  | 'untrimmed'
  | 'too_long'
  | 'slash'
  | 'backslash'
  | 'control_character'
  | 'malformed_unicode'
  | 'service_charset';

export interface SecretIdProblem {
  field: 'service' | 'id';
  rule: SecretIdRule;
  message: string;
}

// Cc (C0, DEL, C1) are control characters; a lone surrogate cannot be stored as UTF-8 and
// would silently become U+FFFD, so two different ids could collide.
const CONTROL_RE = /\p{Cc}/u;
const LONE_SURROGATE_RE = /\p{Cs}/u;
const encoder = new TextEncoder();

export function utf8ByteLength(text: string): number {
  return encoder.encode(text).byteLength;
}

/** Returns the first rule `id` breaks, or undefined when it is a valid secret id. */
export function checkSecretId(id: unknown): SecretIdProblem | undefined {
  const problem = (rule: SecretIdRule, message: string): SecretIdProblem => ({ field: 'id', rule, message });
  if (typeof id !== 'string') return problem('not_a_string', 'secret id must be a string');
  if (id.trim() === '') return problem('empty', 'secret id must not be empty or only whitespace');
  if (id.trim() !== id) return problem('untrimmed', 'secret id must not start or end with whitespace');
  if (LONE_SURROGATE_RE.test(id)) return problem('malformed_unicode', 'secret id contains a lone UTF-16 surrogate');
  const bytes = utf8ByteLength(id);
  if (bytes > SECRET.idMaxBytes) {
    return problem('too_long', `secret id is ${bytes} bytes of UTF-8, the limit is ${SECRET.idMaxBytes}`);
  }
  if (id.includes('/')) return problem('slash', "secret id must not contain '/'");
  if (id.includes('\\')) return problem('backslash', "secret id must not contain '\\'");
  if (CONTROL_RE.test(id)) return problem('control_character', 'secret id must not contain control characters');
  return undefined;
}

/** Returns the first rule `service` breaks, or undefined when it is a valid service name. */
export function checkSecretService(service: unknown): SecretIdProblem | undefined {
  const problem = (rule: SecretIdRule, message: string): SecretIdProblem => ({ field: 'service', rule, message });
  if (typeof service !== 'string') return problem('not_a_string', 'secret service must be a string');
  if (service === '') return problem('empty', 'secret service must not be empty');
  if (service.length > SECRET.serviceMaxLength) {
    return problem('too_long', `secret service is ${service.length} characters, the limit is ${SECRET.serviceMaxLength}`);
  }
  if (!SERVICE_RE.test(service)) {
    return problem('service_charset', 'secret service must be lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');
  }
  return undefined;
}
