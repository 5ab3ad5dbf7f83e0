import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryKeystore } from '../memory/memory-keystore.js';
import { createSecretRedactor, type SecretRedactor } from './secret-redactor.js';

describe('createSecretRedactor', () => {
  let ks: MemoryKeystore;
  let redactor: SecretRedactor;
  beforeEach(async () => {
    ks = new MemoryKeystore();
    await ks.set('provider', 'openai', 'sk-openai-AAAA1111');
    redactor = await createSecretRedactor(ks);
  });
  afterEach(async () => {
    redactor.close();
    await ks.close();
  });

  it('scrubs values present when it was created', () => {
    expect(redactor.redact('auth failed for key sk-openai-AAAA1111 (twice: sk-openai-AAAA1111)')).toBe('auth failed for key [REDACTED] (twice: [REDACTED])');
  });

  it('follows set and delete, including a replaced value', async () => {
    await ks.set('mcp', 'github', 'ghp_github_token_99');
    expect(redactor.redact('token ghp_github_token_99')).toBe('token [REDACTED]');
    await ks.set('provider', 'openai', 'sk-openai-BBBB2222');
    expect(redactor.redact('new sk-openai-BBBB2222')).toBe('new [REDACTED]');
    await ks.delete('mcp', 'github');
    expect(redactor.redact('token ghp_github_token_99')).toBe('token ghp_github_token_99');
  });

  it('matches the longest value first, so a value containing another is removed whole', async () => {
    await ks.set('generic', 'short', 'abcdef');
    await ks.set('generic', 'long', 'abcdef-ghijkl');
    expect(redactor.redact('x abcdef-ghijkl y abcdef z')).toBe('x [REDACTED] y [REDACTED] z');
  });

  it('scrubs the JSON-escaped form and regex metacharacters literally', async () => {
    await ks.set('generic', 'quoted', 'pa"ss\\word\n.*');
    const json = JSON.stringify({ header: 'Bearer pa"ss\\word\n.*' });
    expect(redactor.redact(json)).toBe('{"header":"Bearer [REDACTED]"}');
    expect(redactor.redact('pa"ss\\word\n.*')).toBe('[REDACTED]');
    expect(redactor.redact('paXssYword')).toBe('paXssYword');
  });

  it('ignores values shorter than the threshold', async () => {
    await ks.set('generic', 'pin', '12345');
    expect(redactor.redact('order 12345 shipped')).toBe('order 12345 shipped');
  });

  it('redacts deeply: nested strings, keys, arrays and errors, without touching the input', async () => {
    const input = { a: ['sk-openai-AAAA1111', 3, null], b: { 'sk-openai-AAAA1111': true }, e: new Error('bad key sk-openai-AAAA1111') };
    const out = redactor.redactDeep(input);
    expect(out).toEqual({ a: ['[REDACTED]', 3, null], b: { '[REDACTED]': true }, e: { name: 'Error', message: 'bad key [REDACTED]' } });
    expect(input.a[0]).toBe('sk-openai-AAAA1111');
    expect(JSON.stringify(out)).not.toContain('sk-openai-AAAA1111');
  });

  it('refresh picks up changes it was not told about; close stops following', async () => {
    const other = await createSecretRedactor(ks);
    other.close();
    await ks.set('generic', 'late', 'late-value-123');
    expect(other.redact('late-value-123')).toBe('late-value-123');
    await other.refresh();
    expect(other.redact('late-value-123')).toBe('[REDACTED]');
  });
});
