import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { secretAad } from './aad.js';
import { MasterKey } from './master-key.js';
import { openSecret, sealSecret } from './seal-secret.js';

const bytes = Buffer.alloc(32, 7);

describe('MasterKey', () => {
  it('has a stable 16-hex id that is neither the key nor a plain hash of it', () => {
    const a = MasterKey.fromBytes(bytes);
    const b = MasterKey.fromBytes(Buffer.from(bytes));
    expect(a.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a.id).toBe(b.id);
    expect(MasterKey.generate().id).not.toBe(a.id);
    expect(bytes.toString('hex')).not.toContain(a.id);
    expect(createHash('sha256').update(bytes).digest('hex')).not.toContain(a.id);
  });

  it('never shows its bytes through inspect, JSON or string conversion', () => {
    const key = MasterKey.fromBytes(bytes);
    const b64 = key.toBase64();
    for (const shown of [inspect(key), JSON.stringify({ key }), String(key), `${key}`]) {
      expect(shown).toContain(key.id);
      expect(shown).not.toContain(b64);
      expect(shown).not.toContain(bytes.toString('hex'));
    }
  });

  it('refuses anything but 32 bytes', () => {
    expect(() => MasterKey.fromBytes(Buffer.alloc(31))).toThrow(expect.objectContaining({ code: 'master_key_invalid' }));
    expect(() => MasterKey.fromBytes(Buffer.alloc(33))).toThrow(expect.objectContaining({ code: 'master_key_invalid' }));
  });

  it('uses a fresh nonce per seal, so one value never gives the same ciphertext twice', () => {
    const key = MasterKey.generate();
    const a = sealSecret(key, 'provider', 'openai', 'sk-same-value');
    const b = sealSecret(key, 'provider', 'openai', 'sk-same-value');
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
    expect(openSecret(key, 'provider', 'openai', a)).toBe('sk-same-value');
  });

  it('binds the ciphertext to service, id and key id', () => {
    const key = MasterKey.generate();
    const sealed = sealSecret(key, 'provider', 'openai', 'sk-bound');
    expect(() => openSecret(key, 'provider', 'anthropic', sealed)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
    expect(() => openSecret(key, 'mcp', 'openai', sealed)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
    expect(() => openSecret(MasterKey.generate(), 'provider', 'openai', sealed)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
    const forged = { ...sealed, keyId: 'ffffffffffffffff' };
    expect(() => openSecret(key, 'provider', 'openai', forged)).toThrow(/sealed under master key ffffffffffffffff/);
  });

  it('detects a flipped bit anywhere in nonce, ciphertext or tag', () => {
    const key = MasterKey.generate();
    const sealed = sealSecret(key, 'provider', 'openai', 'sk-flip-me-please');
    for (const part of ['nonce', 'ciphertext', 'tag'] as const) {
      for (let i = 0; i < sealed[part].byteLength; i++) {
        const copy = { ...sealed, [part]: Buffer.from(sealed[part]) };
        copy[part][i]! ^= 0x01;
        expect(() => openSecret(key, 'provider', 'openai', copy)).toThrow(expect.objectContaining({ code: 'decryption_failed' }));
      }
    }
  });

  it('length-prefixes AAD fields so that shifting a boundary changes the bytes', () => {
    expect(secretAad('ab', 'c', 'k').equals(secretAad('a', 'bc', 'k'))).toBe(false);
    expect(secretAad('a', 'b', 'k').equals(secretAad('a', 'b', 'k'))).toBe(true);
  });
});
