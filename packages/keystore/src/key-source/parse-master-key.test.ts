import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { MasterKey } from '../crypto/master-key.js';
import { masterKeySourceFor } from './env.js';
import { parseMasterKeyText } from './parse-master-key.js';

function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a throw');
}

describe('parseMasterKeyText', () => {
  const bytes = randomBytes(32);
  const expected = MasterKey.fromBytes(bytes).id;

  it.each([
    ['base64', bytes.toString('base64')],
    ['base64 without padding', bytes.toString('base64').replace(/=$/, '')],
    ['base64url', bytes.toString('base64url')],
    ['hex', bytes.toString('hex')],
    ['HEX', bytes.toString('hex').toUpperCase()],
    ['with whitespace', `  ${bytes.toString('base64')}\n`],
  ])('accepts %s', (_name, text) => {
    expect(parseMasterKeyText(text, 'CAIRN_MASTER_KEY').id).toBe(expected);
  });

  it.each([
    ['too short', randomBytes(31).toString('base64')],
    ['too long', randomBytes(33).toString('base64')],
    ['hex of 31 bytes', randomBytes(31).toString('hex')],
    ['a password', 'correct horse battery staple'],
    ['non-canonical base64 tail', bytes.toString('base64').slice(0, 42) + 'B='],
    ['empty', ''],
  ])('rejects %s without echoing it', (_name, text) => {
    const error = errorOf(() => parseMasterKeyText(text, 'CAIRN_MASTER_KEY'));
    expect(error.code).toBe('master_key_invalid');
    expect(error.message).toContain('CAIRN_MASTER_KEY');
    if (text.length > 0) expect(error.message).not.toContain(text);
  });

  it('masterKeySourceFor prefers a set CAIRN_MASTER_KEY and refuses a malformed one', () => {
    expect(masterKeySourceFor('/nonexistent-home', bytes.toString('base64')).kind).toBe('env');
    expect(masterKeySourceFor('/nonexistent-home', undefined).kind).toBe('file');
    expect(masterKeySourceFor('/nonexistent-home', '  ').kind).toBe('file');
    expect(errorOf(() => masterKeySourceFor('/nonexistent-home', 'hunter2-not-a-key')).code).toBe('master_key_invalid');
  });
});
