import { CairnError } from '@cairn/protocol';
import canonicalize from 'canonicalize';

/**
 * RFC 8785 (JCS) canonical JSON: keys sorted by UTF-16 code units, no insignificant
 * whitespace, ECMAScript number formatting, so one value has exactly one text and the hash
 * of a payload does not depend on who serialised it. `canonicalize` is the RFC co-author's
 * implementation; it refuses NaN, Infinity and lone surrogates, which become `invalid_params`.
 * Expects the plain tree `redactPayload` returns.
 */
export function canonicalJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(value);
  } catch (cause) {
    throw new CairnError('invalid_params', `journal payload refused: ${(cause as Error).message}`, { cause });
  }
  return text ?? 'null';
}
