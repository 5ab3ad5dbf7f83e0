import type { Keystore } from '../keystore.js';

/**
 * Values shorter than this are not scrubbed: a 4-character "secret" would turn every
 * occurrence of an ordinary word into `[REDACTED]`, and such a value is no secret anyway.
 */
export const MIN_REDACTABLE_LENGTH = 6;
export const REDACTION = '[REDACTED]';

export interface SecretRedactor {
  /** `text` with every held value (and its JSON-escaped form) replaced by `[REDACTED]`. */
  redact(text: string): string;
  /** A deep copy of `value` with every string redacted (journal payloads, error details). */
  redactDeep<T>(value: T): T;
  /** Re-reads every value from the keystore (after changes made by another process). */
  refresh(): Promise<void>;
  /** Stops following the keystore's changes. */
  close(): void;
}

/**
 * Scrubs every value currently held in the keystore from text about to be logged or sent to a
 * client. It loads all values once, then follows `set`/`delete` through the keystore's change
 * feed; changes made by another process are picked up by `refresh()`.
 *
 * Longest values are matched first, so a value that contains another is removed whole.
 */
export async function createSecretRedactor(keystore: Keystore, options: { minLength?: number } = {}): Promise<SecretRedactor> {
  const minLength = options.minLength ?? MIN_REDACTABLE_LENGTH;
  const values = new Map<string, string>();
  let pattern: RegExp | undefined;
  let dirty = true;
  const keyOf = (service: string, id: string) => `${service}\u0000${id}`;

  const unsubscribe = keystore.subscribe((change) => {
    if (change.type === 'set') values.set(keyOf(change.info.service, change.info.id), change.value);
    else values.delete(keyOf(change.service, change.id));
    dirty = true;
  });

  const refresh = async (): Promise<void> => {
    const loaded = new Map<string, string>();
    for (const info of await keystore.list()) {
      let value: string | undefined;
      try {
        value = await keystore.get(info.service, info.id);
      } catch (error) {
        // An entry that fails authentication has no value anyone can use (or leak): skip it
        // rather than leave the process with no redactor at all.
        if ((error as { code?: unknown }).code === 'decryption_failed') continue;
        throw error;
      }
      if (value !== undefined) loaded.set(keyOf(info.service, info.id), value);
    }
    values.clear();
    for (const [key, value] of loaded) values.set(key, value);
    dirty = true;
  };

  const currentPattern = (): RegExp | undefined => {
    if (dirty) {
      pattern = buildPattern(values.values(), minLength);
      dirty = false;
    }
    return pattern;
  };

  const redact = (text: string): string => {
    const re = currentPattern();
    return re && text.length >= minLength ? text.replace(re, REDACTION) : text;
  };

  const redactDeep = <T>(value: T): T => deepMap(value, redact) as T;

  try {
    await refresh();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return { redact, redactDeep, refresh, close: unsubscribe };
}

function buildPattern(values: Iterable<string>, minLength: number): RegExp | undefined {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < minLength) continue;
    forms.add(value);
    // How the value appears inside a JSON string: `"` `\` and control characters escaped.
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) forms.add(escaped);
  }
  if (forms.size === 0) return undefined;
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(alternatives.join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function deepMap(value: unknown, redact: (text: string) => string, seen = new WeakMap<object, unknown>()): unknown {
  if (typeof value === 'string') return redact(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return seen.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(deepMap(item, redact, seen));
    return out;
  }
  if (value instanceof Error) {
    const out = { name: value.name, message: redact(value.message) } as Record<string, unknown>;
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = deepMap(v, redact, seen);
    return out;
  }
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  for (const [k, v] of Object.entries(value)) out[redact(k)] = deepMap(v, redact, seen);
  return out;
}
