import { CairnError } from '../errors/cairn-error.js';
import { assertSecretAddress } from './assert-secret-address.js';
import { LIMITS } from '../common/limits.js';

/**
 * A reference to a keystore entry, `secret://<service>/<percent-encoded id>`. Domain rows and
 * settings hold these, never values; the gateway resolves one at the moment the value is
 * needed. Branded so that a plain string (perhaps a value) cannot be passed where a ref is
 * expected without going through `formatSecretRef`/`parseSecretRef`.
 */
export type SecretRef = string & { readonly __brand: 'SecretRef' };

export const SECRET_REF_SCHEME = 'secret://';

export interface ParsedSecretRef {
  service: string;
  id: string;
  /** The canonical spelling (what `formatSecretRef` gives), so refs compare as strings. */
  ref: SecretRef;
}

// Scheme + service + '/' + every id byte percent-encoded, with room to spare.
const MAX_REF_LENGTH = SECRET_REF_SCHEME.length + LIMITS.secret.serviceMaxLength + 1 + 3 * LIMITS.secret.idMaxBytes;

/** Builds the canonical ref; throws `invalid_secret_id` if the address breaks the id rules. */
export function formatSecretRef(service: string, id: string): SecretRef {
  assertSecretAddress(service, id);
  return `${SECRET_REF_SCHEME}${service}/${encodeURIComponent(id)}` as SecretRef;
}

/**
 * Parses a ref. A string that is not shaped like a ref is `invalid_params`; a well-shaped ref
 * whose decoded service or id breaks the id rules is `invalid_secret_id`.
 */
export function parseSecretRef(text: unknown): ParsedSecretRef {
  if (typeof text !== 'string') throw malformed('secret ref must be a string');
  if (text.length > MAX_REF_LENGTH) throw malformed(`secret ref is longer than ${MAX_REF_LENGTH} characters`);
  if (!text.startsWith(SECRET_REF_SCHEME)) throw malformed(`secret ref must start with '${SECRET_REF_SCHEME}'`);
  const rest = text.slice(SECRET_REF_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash < 0) throw malformed("secret ref must have the form 'secret://<service>/<id>'");
  const service = rest.slice(0, slash);
  const encodedId = rest.slice(slash + 1);
  // An encoded id never holds a raw '/', so a second one means a malformed ref, not an id.
  if (encodedId.includes('/')) throw malformed("secret ref has more than one '/' after the service");
  let id: string;
  try {
    id = decodeURIComponent(encodedId);
  } catch {
    throw malformed('secret ref id has a malformed percent-encoding');
  }
  assertSecretAddress(service, id);
  return { service, id, ref: formatSecretRef(service, id) };
}

/** True when `text` is a valid ref in its canonical spelling (use `parseSecretRef` to accept any spelling). */
export function isSecretRef(text: unknown): text is SecretRef {
  try {
    return parseSecretRef(text).ref === text;
  } catch {
    return false;
  }
}

function malformed(message: string): CairnError {
  return new CairnError('invalid_params', message);
}
