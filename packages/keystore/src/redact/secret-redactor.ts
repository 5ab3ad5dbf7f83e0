import type { Keystore } from '../keystore.js';

/**
 * Values shorter than this are not scrubbed: a 4-character "secret" would turn every
 * occurrence of an ordinary word into `[REDACTED]`, and such a value is no secret anyway.
 */
export const MIN_REDACTABLE_LENGTH = 6;
export const REDACTION = '[REDACTED]';

/** What streamed text may be stored now, and what must wait for the next piece. */
export interface StreamSplit {
  /** Redacted, and ending with no beginning of a held value: safe to store and send. */
  release: string;
  /** The shortest tail of the text that could still grow into a held value (often ''). */
  hold: string;
}

export interface SecretRedactor {
  /** `text` with every held value (and its JSON-escaped form) replaced by `[REDACTED]`. */
  redact(text: string): string;
  /**
   * For text that arrives in pieces (a model's streamed deltas): redacts `text` (the held tail
   * of the previous call followed by the new piece), then holds back the longest tail that is
   * the beginning of a held value, so that a value split across pieces is never released in
   * parts. The concatenation of every `release` contains no held value, wherever the cuts
   * fell. A trailing high surrogate is held too, so a release is always well-formed UTF-16.
   */
  split(text: string): StreamSplit;
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
  let prefixes: PrefixMatcher[] = [];
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
      const forms = redactableForms(values.values(), minLength);
      pattern = buildPattern(forms);
      prefixes = forms.map(prefixMatcher);
      dirty = false;
    }
    return pattern;
  };

  const redact = (text: string): string => {
    const re = currentPattern();
    return re && text.length >= minLength ? text.replace(re, REDACTION) : text;
  };

  const redactDeep = <T>(value: T): T => deepMap(value, redact) as T;

  const split = (text: string): StreamSplit => {
    const redacted = redact(text);
    let hold = 0;
    for (const matcher of prefixes) hold = Math.max(hold, matcher(redacted));
    let cut = redacted.length - hold;
    if (cut > 0 && isHighSurrogate(redacted.charCodeAt(cut - 1))) cut -= 1;
    return { release: redacted.slice(0, cut), hold: redacted.slice(cut) };
  };

  try {
    await refresh();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  return { redact, split, redactDeep, refresh, close: unsubscribe };
}

/** Every value long enough to scrub, and how it appears inside a JSON string (`"` `\\` and control characters escaped). */
function redactableForms(values: Iterable<string>, minLength: number): string[] {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < minLength) continue;
    forms.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) forms.add(escaped);
  }
  return [...forms];
}

function buildPattern(forms: readonly string[]): RegExp | undefined {
  if (forms.length === 0) return undefined;
  const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(alternatives.join('|'), 'g');
}

/** The length of the longest tail of a text that is a proper prefix of one form. */
type PrefixMatcher = (text: string) => number;

/**
 * Knuth-Morris-Pratt over the last `form.length - 1` characters of the text: linear in the
 * form's length per call, so a delta costs the same however long the text before it was.
 */
function prefixMatcher(form: string): PrefixMatcher {
  const failure = new Int32Array(form.length);
  for (let i = 1, k = 0; i < form.length; i++) {
    while (k > 0 && form.charCodeAt(i) !== form.charCodeAt(k)) k = failure[k - 1]!;
    if (form.charCodeAt(i) === form.charCodeAt(k)) k++;
    failure[i] = k;
  }
  return (text) => {
    let matched = 0;
    for (let i = Math.max(0, text.length - (form.length - 1)); i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (matched > 0 && c !== form.charCodeAt(matched)) matched = failure[matched - 1]!;
      if (c === form.charCodeAt(matched)) matched++;
      // A whole form cannot remain here (redaction removed it); restart as KMP would after a full match.
      if (matched === form.length) matched = failure[matched - 1]!;
    }
    return matched;
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
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
