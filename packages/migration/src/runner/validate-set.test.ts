import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { lockDialect } from './dialect.js';
import { isMigrationError, MigrationError } from './migration-error.js';
import { assertContiguousSet, assertSetRunsOn } from './validate-set.js';
import type { MigrationSet } from './types.js';

const set = (...versions: number[]): MigrationSet => ({
  service: 'alpha',
  migrations: versions.map((version) => ({ version, name: `m${version}`, up: [], down: [] })),
});

function codeOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return undefined;
}

describe('assertContiguousSet', () => {
  it('accepts 1..n in order and the empty set', () => {
    expect(() => assertContiguousSet(set(1, 2, 3))).not.toThrow();
    expect(() => assertContiguousSet(set())).not.toThrow();
  });

  it.each([
    ['a gap', [1, 3]],
    ['a duplicate', [1, 2, 2]],
    ['a start other than 1', [2, 3]],
    ['versions out of order', [2, 1]],
    ['a fractional version', [1, 1.5]],
  ])('refuses %s with migration_gap', (_label, versions) => {
    expect(codeOf(() => assertContiguousSet(set(...versions)))).toBe('migration_gap');
  });

  it('names the duplicate', () => {
    expect(() => assertContiguousSet(set(1, 1))).toThrow(/version 1 \(duplicate\)/);
  });
});

describe('isMigrationError', () => {
  it('recognises by code, not by class', () => {
    const foreign = Object.assign(new Error('x'), { code: 'schema_too_new' });
    expect(isMigrationError(foreign)).toBe(true);
    expect(isMigrationError(foreign, 'schema_too_new')).toBe(true);
    expect(isMigrationError(foreign, 'checksum_mismatch')).toBe(false);
    expect(isMigrationError(Object.assign(new Error('x'), { code: 'SQLITE_ERROR' }))).toBe(false);
    expect(isMigrationError(new MigrationError('lock_failed', 'x'))).toBe(true);
  });
});

describe('lockDialect', () => {
  it('takes the SQLite write lock or the PostgreSQL advisory lock up front, and refuses databases it has no lock strategy for', () => {
    expect(lockDialect({ options: { type: 'better-sqlite3' } } as DataSource).begin).toEqual(['BEGIN IMMEDIATE']);
    expect(lockDialect({ options: { type: 'postgres' } } as DataSource)).toMatchObject({
      begin: ['BEGIN', "SELECT pg_advisory_xact_lock(hashtext('cairn.schema_migration'))"],
      beforeBegin: [],
      afterEnd: [],
      verify: undefined,
    });
    expect(codeOf(() => lockDialect({ options: { type: 'mysql' } } as DataSource))).toBe('unsupported_database');
  });
});

describe('assertSetRunsOn', () => {
  it('refuses PostgreSQL for a set with a version that has no PostgreSQL SQL, naming it', () => {
    const mixed: MigrationSet = {
      service: 'alpha',
      migrations: [
        { version: 1, name: 'm1', up: [], down: [], postgres: { up: [], down: [] } },
        { version: 2, name: 'm2', up: [], down: [] },
      ],
    };
    expect(() => assertSetRunsOn(mixed, 'sqlite')).not.toThrow();
    expect(codeOf(() => assertSetRunsOn(mixed, 'postgres'))).toBe('unsupported_database');
    expect(() => assertSetRunsOn(mixed, 'postgres')).toThrow(/alpha migrations 2 have no PostgreSQL SQL/);
  });
});
