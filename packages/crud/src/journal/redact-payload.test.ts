import { describe, expect, it } from '@jest/globals';
import { redactPayload } from './redact-payload.js';
import { REDACTED, isSecretKey, redactString } from './secret-rules.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
const OPENAI = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
const GITHUB = 'ghp_' + 'a1B2c3D4e5'.repeat(4);

describe('secret keys', () => {
  it.each([
    'api_key', 'apiKey', 'APIKey', 'X-Api-Key', 'apikey', 'token', 'access_token', 'refreshToken', 'id_token',
    'github_token', 'password', 'db_password', 'passwd', 'passphrase', 'secret', 'client_secret', 'clientSecret',
    'Authorization', 'proxy-authorization', 'cookie', 'Set-Cookie', 'private_key', 'privateKey', 'aws_secret_access_key',
    'credentials', 'password_hash', 'signing_key',
  ])('%s is a secret key', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each([
    'max_tokens', 'maxTokens', 'token_count', 'tokens_used', 'tokens', 'token_type', 'keyboard', 'key', 'secretary',
    'secret_name', 'password_policy', 'passwordPolicy', 'public_key', 'idempotency_key', 'primary_key', 'next_page_token',
    'page_token', 'sk', 'author', 'cookie_consent', 'authorization_url', 'monkey', 'auth_method', 'pwd',
  ])('%s is not', (key) => {
    expect(isSecretKey(key)).toBe(false);
  });
});

describe('secret values inside strings', () => {
  it.each([
    [`Authorization: Bearer abcDEF0123456789xyz==`, `Authorization: Bearer ${REDACTED}`],
    [`curl -H "authorization: bearer ${JWT}" https://x`, `curl -H "authorization: bearer ${REDACTED}" https://x`],
    [`token is ${JWT}.`, `token is ${REDACTED}.`],
    [`OPENAI_API_KEY=${OPENAI}`, `OPENAI_API_KEY=${REDACTED}`],
    [`key sk-ant-api03-${'x'.repeat(40)} end`, `key ${REDACTED} end`],
    [`gh auth ${GITHUB}`, `gh auth ${REDACTED}`],
    ['slack xoxb-123456789012-abcdefABCDEF', `slack ${REDACTED}`],
    ['aws AKIAIOSFODNN7EXAMPLE ok', `aws ${REDACTED} ok`],
    ['stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc', `stripe ${REDACTED}`],
    ['postgres://app:hunter2@db:5432/x', `postgres://app:${REDACTED}@db:5432/x`],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nrest', `${REDACTED}\nrest`],
  ])('%s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it.each([
    'sk', 'sk-learn', 'task-management-service-overview-v2', 'ask-me-anything-about-sqlite-today', 'Bearer token',
    'the Bearer authentication scheme', 'eyJ', 'AKIA', 'ghp_short', 'http://localhost:8080/path@x', 'max_tokens=4096',
    'a plain sentence about a secretary and a keyboard',
  ])('leaves %j alone', (input) => {
    expect(redactString(input)).toBe(input);
  });
});

describe('redactPayload', () => {
  it('redacts by key and by value through nested objects and arrays', () => {
    const input = {
      model: 'gpt-x',
      max_tokens: 4096,
      usage: { token_count: 12, tokens_used: 40 },
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'Set-Cookie': ['a=1', 'b=2'], accept: 'json' },
      tools: [{ name: 'http', args: { url: 'https://api.x', api_key: 'plain-looking-value' } }, `run with ${OPENAI}`],
      env: { GITHUB_TOKEN: GITHUB, PATH: '/usr/bin' },
      is_secret: true,
      password: '',
      refresh_token: null,
    };
    expect(redactPayload(input)).toEqual({
      model: 'gpt-x',
      max_tokens: 4096,
      usage: { token_count: 12, tokens_used: 40 },
      headers: { Authorization: REDACTED, 'Set-Cookie': REDACTED, accept: 'json' },
      tools: [{ name: 'http', args: { url: 'https://api.x', api_key: REDACTED } }, `run with ${REDACTED}`],
      env: { GITHUB_TOKEN: REDACTED, PATH: '/usr/bin' },
      is_secret: true,
      password: '',
      refresh_token: null,
    });
  });

  it('never mutates the input', () => {
    const input = { password: 'hunter2', nested: { text: `Bearer ${'a'.repeat(20)}` } };
    const before = JSON.stringify(input);
    redactPayload(input);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('follows JSON semantics (toJSON, undefined dropped or null) and keeps a __proto__ key as data', () => {
    const input = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    Object.assign(input, { at: new Date('2025-01-02T03:04:05.000Z'), gone: undefined, list: [undefined, () => 1] });
    const out = redactPayload(input) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).toBe('{"__proto__":{"x":1},"at":"2025-01-02T03:04:05.000Z","list":[null,null]}');
    expect(redactPayload(undefined)).toBeNull();
  });

  it.each([
    ['NaN', { n: Number.NaN }],
    ['Infinity', [Number.POSITIVE_INFINITY]],
    ['a bigint', { n: 1n }],
  ])('refuses %s with invalid_params', (_name, input) => {
    expect(() => redactPayload(input)).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });

  it('refuses a cycle with invalid_params instead of overflowing the stack', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(() => redactPayload(cyclic)).toThrow(expect.objectContaining({ code: 'invalid_params' }));
  });
});
