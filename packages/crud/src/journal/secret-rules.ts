/**
 * What the journal treats as a secret. Two rules, both deliberately narrow: an over-eager rule
 * silently destroys data that a replay or an audit needs (`max_tokens`, `token_count`), while
 * the gateway's keystore redactor (the extra hook) catches every value it actually holds.
 */

/** What a redacted value becomes. */
export const REDACTED = '[redacted]';

/**
 * Key rule: the key is split into lower-case words (camelCase, acronyms, `_`, `-`, spaces),
 * and it names a secret when its LAST words are one of these. So `client_secret`, `apiKey`,
 * `X-Api-Key`, `refresh_token`, `Set-Cookie`, `db_password` match, and `max_tokens`,
 * `token_count`, `tokens_used`, `token_type`, `keyboard`, `secretary`, `secret_name`,
 * `password_policy`, `public_key`, `idempotency_key` do not.
 */
const SECRET_KEY_SUFFIXES: readonly (readonly string[])[] = [
  ['password'],
  ['passwd'],
  ['passphrase'],
  ['password', 'hash'],
  ['secret'],
  ['token'],
  ['authorization'],
  ['cookie'],
  ['cookies'],
  ['credential'],
  ['credentials'],
  ['api', 'key'],
  ['api', 'keys'],
  ['private', 'key'],
  ['secret', 'key'],
  ['access', 'key'],
  ['signing', 'key'],
  ['encryption', 'key'],
  ['master', 'key'],
];

/** The same names written as one lower-case word (`apikey`, `accesstoken`). */
const SECRET_KEY_WORDS = new Set([
  'apikey',
  'xapikey',
  'privatekey',
  'secretkey',
  'accesskey',
  'accesstoken',
  'refreshtoken',
  'authtoken',
  'idtoken',
  'sessiontoken',
  'bearertoken',
  'clientsecret',
  'setcookie',
]);

/** `page_token`, `next_token`, ... are pagination cursors, not credentials. */
const CURSOR_WORDS = new Set(['page', 'next', 'continuation', 'cursor', 'pagination', 'sync']);

export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 0);
}

function computeIsSecretKey(key: string): boolean {
  const words = keyWords(key);
  const last = words[words.length - 1];
  if (last === undefined) return false;
  if (SECRET_KEY_WORDS.has(last)) return true;
  for (const suffix of SECRET_KEY_SUFFIXES) {
    if (suffix.length > words.length) continue;
    const offset = words.length - suffix.length;
    if (suffix.every((word, i) => words[offset + i] === word)) {
      return !(last === 'token' && words.length > 1 && CURSOR_WORDS.has(words[words.length - 2]!));
    }
  }
  return false;
}

// Payload keys repeat endlessly (`type`, `text`, `item_id`): remember the verdict.
const keyVerdicts = new Map<string, boolean>();
const KEY_CACHE_LIMIT = 4096;

export function isSecretKey(key: string): boolean {
  let verdict = keyVerdicts.get(key);
  if (verdict === undefined) {
    verdict = computeIsSecretKey(key);
    if (keyVerdicts.size >= KEY_CACHE_LIMIT) keyVerdicts.clear();
    keyVerdicts.set(key, verdict);
  }
  return verdict;
}

/**
 * Value rule: substrings shaped like a credential are replaced where they stand, so the rest
 * of a log line or a command survives. Each shape has a distinctive prefix and a minimum
 * length of random-looking characters: `sk` alone, `sk-learn`, `task-...`, "a Bearer token"
 * in prose do not match.
 */
const SECRET_VALUE = new RegExp(
  [
    // PEM private keys (a missing END line still redacts to the end of the string).
    String.raw`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`,
    // Authorization: Bearer <token> (keeps the scheme word).
    String.raw`\b([Bb][Ee][Aa][Rr][Ee][Rr])\s+[A-Za-z0-9\-._~+/]{16,}=*`,
    // JWT: header.payload.signature, both JSON parts start with eyJ ('{"').
    String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`,
    // OpenAI / Anthropic style keys: sk-..., sk-proj-..., sk-ant-...
    String.raw`(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_-]{20,}`,
    // Stripe secret and restricted keys.
    String.raw`(?<![A-Za-z0-9_])[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`,
    // GitHub tokens.
    String.raw`\bgh[pousr]_[A-Za-z0-9]{36,}`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{22,}`,
    // Slack tokens.
    String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`,
    // AWS access key ids.
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
    // Google API keys.
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    // Passwords inside URLs: scheme://user:password@host (keeps scheme and user).
    String.raw`(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]+:)[^\s/@]+@`,
  ].join('|'),
  'g',
);

/** The shortest string any value rule can match (`a://b:c@`). */
const SHORTEST_MATCH = 8;

export function redactString(value: string): string {
  if (value.length < SHORTEST_MATCH) return value;
  SECRET_VALUE.lastIndex = 0;
  if (!SECRET_VALUE.test(value)) return value;
  return value.replace(SECRET_VALUE, (_match, bearer: string | undefined, urlPrefix: string | undefined) => {
    if (bearer !== undefined) return `${bearer} ${REDACTED}`;
    if (urlPrefix !== undefined) return `${urlPrefix}${REDACTED}@`;
    return REDACTED;
  });
}
