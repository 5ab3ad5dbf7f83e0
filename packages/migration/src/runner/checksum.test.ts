import { describe, expect, it } from '@jest/globals';
import { migrationChecksum } from './checksum.js';
import type { Migration } from './types.js';

describe('migrationChecksum', () => {
  const base = { name: 'create_widget', up: ['CREATE TABLE a (id INTEGER)', 'CREATE INDEX a_id ON a (id)'] };

  it('is a stable SHA-256 hex digest', () => {
    expect(migrationChecksum(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum({ ...base, up: [...base.up] })).toBe(migrationChecksum(base));
  });

  it('changes with the name, the text and the statement boundaries', () => {
    const reference = migrationChecksum(base);
    expect(migrationChecksum({ ...base, name: 'create_widgets' })).not.toBe(reference);
    expect(migrationChecksum({ ...base, up: ['CREATE TABLE a (id INTEGER) ', base.up[1]!] })).not.toBe(reference);
    expect(migrationChecksum({ ...base, up: [base.up.join('')] })).not.toBe(reference);
    expect(migrationChecksum({ name: 'ab', up: ['c'] })).not.toBe(migrationChecksum({ name: 'a', up: ['bc'] }));
    expect(migrationChecksum({ name: 'a', up: ['', 'b'] })).not.toBe(migrationChecksum({ name: 'a', up: ['b'] }));
  });

  it('ignores down statements, so fixing a rollback does not invalidate applied databases', () => {
    const migration: Migration = { ...base, version: 1, down: ['DROP TABLE a'] };
    const fixedDown: Migration = { ...migration, down: ['DROP INDEX a_id', 'DROP TABLE a'] };
    expect(migrationChecksum(fixedDown)).toBe(migrationChecksum(migration));
  });
});
