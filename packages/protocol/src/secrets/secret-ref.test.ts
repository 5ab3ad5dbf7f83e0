import { describe, expect, it } from '@jest/globals';
import { checkValue } from '../common/check-value.js';
import { hasErrorCode } from '../errors/cairn-error.js';
import { checkSecretId, checkSecretService } from './secret-rules.js';
import { formatSecretRef, isSecretRef, parseSecretRef } from './secret-ref.js';
import { SecretMetadata, SecretRefString, SecretSetParams } from './secret-schemas.js';
import { secretMethods } from './secret-methods.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('secret id rules', () => {
  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    [' key', 'untrimmed'],
    ['key\t', 'untrimmed'],
    ['a/b', 'slash'],
    ['a\\b', 'backslash'],
    ['a\nb', 'control_character'],
    ['a\u0000b', 'control_character'],
    ['a\u007fb', 'control_character'],
    ['a\u0085b', 'control_character'],
    ['a\ud800b', 'malformed_unicode'],
    ['x'.repeat(1025), 'too_long'],
    ['é'.repeat(513), 'too_long'],
    [42, 'not_a_string'],
  ])('rejects %j as %s', (id, rule) => {
    expect(checkSecretId(id)).toMatchObject({ field: 'id', rule });
  });

  it('accepts ids up to 1024 bytes, with inner spaces, unicode and punctuation', () => {
    for (const id of ['x'.repeat(1024), 'é'.repeat(512), 'OpenAI key #2', 'ключ', '🔑:a.b@c', 'Authorization']) {
      expect(checkSecretId(id)).toBeUndefined();
    }
  });

  it('accepts slug services only', () => {
    expect(checkSecretService('provider')).toBeUndefined();
    expect(checkSecretService('mcp.github-2_x')).toBeUndefined();
    expect(checkSecretService('')).toMatchObject({ rule: 'empty' });
    expect(checkSecretService('Provider')).toMatchObject({ rule: 'service_charset' });
    expect(checkSecretService('-x')).toMatchObject({ rule: 'service_charset' });
    expect(checkSecretService('a/b')).toMatchObject({ rule: 'service_charset' });
    expect(checkSecretService('a'.repeat(65))).toMatchObject({ rule: 'too_long' });
  });
});

describe('secret refs', () => {
  it('formats and parses round-trip, percent-encoding the id', () => {
    for (const id of ['openai', 'OpenAI key #2', 'a%b', 'ключ', '🔑?x=1&y', 'x'.repeat(1024)]) {
      const ref = formatSecretRef('provider', id);
      expect(ref.startsWith('secret://provider/')).toBe(true);
      expect(ref.slice('secret://provider/'.length)).not.toMatch(/[/ ?#]/);
      expect(parseSecretRef(ref)).toEqual({ service: 'provider', id, ref });
      expect(isSecretRef(ref)).toBe(true);
      expect(checkValue(SecretRefString, ref).ok).toBe(true);
    }
  });

  it('parses a non-canonical spelling to the canonical ref', () => {
    const parsed = parseSecretRef('secret://provider/my key');
    expect(parsed).toEqual({ service: 'provider', id: 'my key', ref: 'secret://provider/my%20key' });
    expect(isSecretRef('secret://provider/my key')).toBe(false);
  });

  it.each([
    ['https://provider/x', 'invalid_params'],
    ['secret://provider', 'invalid_params'],
    ['secret://provider/a/b', 'invalid_params'],
    ['secret://provider/%E0%A4%A', 'invalid_params'],
    ['SECRET://provider/x', 'invalid_params'],
    [17, 'invalid_params'],
    ['secret://provider/' + 'x'.repeat(5000), 'invalid_params'],
    ['secret://provider/', 'invalid_secret_id'],
    ['secret://provider/a%2Fb', 'invalid_secret_id'],
    ['secret://provider/a%5Cb', 'invalid_secret_id'],
    ['secret://provider/a%0Ab', 'invalid_secret_id'],
    ['secret://provider/%20a', 'invalid_secret_id'],
    ['secret://Provider/a', 'invalid_secret_id'],
    ['secret:///a', 'invalid_secret_id'],
  ])('rejects %j with %s', (text, code) => {
    expect(codeOf(() => parseSecretRef(text))).toBe(code);
    expect(isSecretRef(text)).toBe(false);
  });

  it('formatSecretRef refuses an address that breaks the rules, naming field and rule but not the text', () => {
    try {
      formatSecretRef('provider', 'sk-live-very-secret/oops');
      throw new Error('expected a throw');
    } catch (error) {
      expect(hasErrorCode(error, 'invalid_secret_id')).toBe(true);
      expect((error as { details?: unknown }).details).toEqual({ field: 'id', rule: 'slash' });
      expect(String((error as Error).message)).not.toContain('sk-live');
    }
  });
});

describe('secret wire schemas', () => {
  it('accept a metadata DTO and refuse one carrying a value', () => {
    const dto = {
      ref: formatSecretRef('provider', 'openai'),
      service: 'provider',
      id: 'openai',
      kind: 'provider_api_key',
      label: null,
      version: 1,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    expect(checkValue(SecretMetadata, dto).ok).toBe(true);
    expect(checkValue(SecretMetadata, { ...dto, value: 'sk-123' }).ok).toBe(false);
    expect(checkValue(SecretMetadata, { ...dto, kind: 'password' }).ok).toBe(false);
  });

  it('check set params shape', () => {
    expect(checkValue(SecretSetParams, { service: 'provider', id: 'openai', value: 'sk-1' }).ok).toBe(true);
    expect(checkValue(SecretSetParams, { service: 'provider', id: 'a/b', value: 'sk-1' }).ok).toBe(false);
    expect(checkValue(SecretSetParams, { service: 'provider', id: 'x', value: '' }).ok).toBe(false);
  });

  it('declare the three secret methods', () => {
    expect(Object.keys(secretMethods).sort()).toEqual(['secret/delete', 'secret/list', 'secret/set']);
  });
});

describe('secret kinds', () => {
  it('the schema lists exactly SECRET_KINDS', async () => {
    const { SECRET_KINDS, SecretKind } = await import('./secret-schemas.js');
    for (const kind of SECRET_KINDS) expect(checkValue(SecretKind, kind).ok).toBe(true);
    expect(checkValue(SecretKind, 'password').ok).toBe(false);
    expect(SecretKind.anyOf).toHaveLength(SECRET_KINDS.length);
  });
});
