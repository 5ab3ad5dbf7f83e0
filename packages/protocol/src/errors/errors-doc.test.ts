import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from './error-codes.js';

// Fastify's rule: every error code is documented, and this fails when code and document disagree.
const doc = readFileSync(join(import.meta.dirname, '..', '..', 'ERRORS.md'), 'utf8');
const rows = [...doc.matchAll(/^\| `([a-z_]+)` \| (-?\d+) \| (.+) \|$/gm)].map(([, code, rpc, meaning]) => ({
  code: code!,
  rpc: Number(rpc),
  meaning: meaning!.trim(),
}));
const STANDARD = [-32700, -32600, -32601, -32602, -32603];

describe('ERRORS.md', () => {
  it('lists exactly the codes of ERROR_CODES, in the same order', () => {
    expect(rows.map((r) => r.code)).toEqual(Object.keys(ERROR_CODES));
  });

  it.each(Object.entries(ERROR_CODES))('documents %s with its number and meaning', (code, { rpc, meaning }) => {
    expect(rows.find((r) => r.code === code)).toEqual({ code, rpc, meaning });
  });
});

describe('ERROR_CODES', () => {
  it('gives every code its own number: a standard one or one of the server range -32000..-32099', () => {
    const numbers = Object.values(ERROR_CODES).map((e) => e.rpc);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect(STANDARD.includes(n) || (n <= -32000 && n >= -32099)).toBe(true);
  });

  it('names codes in stable snake_case', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });
});
