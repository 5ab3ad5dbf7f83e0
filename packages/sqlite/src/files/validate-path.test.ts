import { describe, expect, it } from '@jest/globals';
import { resolve } from 'node:path';
import { ensurePrivateDirectory } from './permissions.js';
import { validateDatabasePath } from './validate-path.js';

describe('validateDatabasePath', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', '   \t'],
    ['leading whitespace', ' /tmp/gateway.db'],
    ['trailing whitespace', '/tmp/gateway.db\n'],
    ['a NUL byte', '/tmp/gate\0way.db'],
    ['a .. segment', '/tmp/cairn/../etc/gateway.db'],
    ['a leading .. segment', '../gateway.db'],
    ['a .. segment with backslashes', 'C:\\cairn\\..\\gateway.db'],
    ['a trailing slash', '/tmp/cairn/'],
  ])('refuses %s with invalid_path', (_label, path) => {
    expect(() => validateDatabasePath(path)).toThrow(expect.objectContaining({ code: 'invalid_path', name: 'SqliteStorageError' }));
  });

  it('refuses a value that is not a string', () => {
    expect(() => validateDatabasePath(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'invalid_path' }));
  });

  it('returns an absolute, normalised path', () => {
    expect(validateDatabasePath('/tmp//cairn/./gateway.db')).toBe('/tmp/cairn/gateway.db');
    expect(validateDatabasePath('gateway.db')).toBe(resolve('gateway.db'));
    expect(validateDatabasePath('a..b/gateway..db')).toBe(resolve('a..b/gateway..db'));
  });

  it('passes :memory: through', () => {
    expect(validateDatabasePath(':memory:')).toBe(':memory:');
  });
});

describe('ensurePrivateDirectory path checks', () => {
  it.each([[''], ['  '], [' /tmp/padded'], ['/tmp/a\0b'], ['/tmp/x/../y']])('refuses %j with invalid_path', (dir) => {
    expect(() => ensurePrivateDirectory(dir)).toThrow(expect.objectContaining({ code: 'invalid_path' }));
  });
});
