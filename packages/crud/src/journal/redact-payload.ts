import { CairnError } from '@cairn/protocol';
import { REDACTED, isSecretKey, redactString } from './secret-rules.js';

/** Deeper than any real event payload; also what stops a cyclic structure. */
const MAX_DEPTH = 128;

/**
 * Returns a fresh plain-JSON copy of `value` with secrets replaced by `[redacted]` (see
 * secret-rules.ts), never mutating the caller's object. The copy follows `JSON.stringify`
 * semantics (`toJSON` applied, `undefined`/functions dropped from objects and `null` in
 * arrays) so that what is hashed is exactly what a reader will parse back. Values JSON cannot
 * carry faithfully (NaN, Infinity, bigint, cycles) are refused with `invalid_params` rather
 * than silently turned into `null`.
 */
export function redactPayload(value: unknown): unknown {
  const copy = walk(value, 0);
  return copy === undefined ? null : copy;
}

function walk(value: unknown, depth: number): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
      return redactString(value);
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse(`a payload number is not finite (${value})`);
      return value;
    case 'bigint':
      throw refuse('a payload holds a bigint, which JSON cannot carry');
    case 'object':
      break;
    default:
      // undefined, functions, symbols: JSON has no value for them.
      return undefined;
  }
  if (depth >= MAX_DEPTH) throw refuse(`the payload is nested deeper than ${MAX_DEPTH} levels (or is cyclic)`);
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === 'function') return walk(json.call(value), depth + 1);
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = walk(value[i], depth + 1) ?? null;
    return out;
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return walk(value.valueOf(), depth);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const child = (value as Record<string, unknown>)[key];
    const copied = isSecretKey(key) && holdsSecret(child) ? REDACTED : walk(child, depth + 1);
    if (copied === undefined) continue;
    // A plain assignment of `__proto__` would set the prototype instead of a property.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out;
}

/** Under a secret-named key, null, booleans and empty strings carry nothing to hide (`is_secret: true`). */
function holdsSecret(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || typeof value === 'boolean') return false;
  return typeof value !== 'function' && typeof value !== 'symbol';
}

function refuse(message: string): CairnError {
  return new CairnError('invalid_params', `journal payload refused: ${message}`);
}
