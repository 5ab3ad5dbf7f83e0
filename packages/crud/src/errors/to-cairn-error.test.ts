import { describe, expect, it } from '@jest/globals';
import { CairnError } from '@cairn/protocol';
import { MigrationError } from '@cairn/migration';
import { SqliteStorageError } from '@cairn/sqlite';
import { toCairnError } from './to-cairn-error.js';

const code = (e: unknown) => ({ name: (e as Error).name, code: (e as { code?: string }).code });

describe('toCairnError', () => {
  it('passes a CairnError through unchanged', () => {
    const e = new CairnError('not_found', 'x');
    expect(toCairnError(e)).toBe(e);
  });

  it('maps busy errors (coordinator or SQLite, also wrapped by TypeORM) to busy, keeping the cause', () => {
    const busy = new SqliteStorageError('busy', 'locked');
    const mapped = toCairnError(busy);
    expect(code(mapped)).toEqual({ name: 'CairnError', code: 'busy' });
    expect((mapped as Error).cause).toBe(busy);
    const typeorm = Object.assign(new Error('q'), { name: 'QueryFailedError', driverError: { code: 'SQLITE_BUSY' } });
    expect(code(toCairnError(typeorm))).toEqual({ name: 'CairnError', code: 'busy' });
  });

  it('maps other storage errors to storage_failed', () => {
    const constraint = Object.assign(new Error('UNIQUE constraint failed'), { name: 'SqliteError', code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(code(toCairnError(constraint))).toEqual({ name: 'CairnError', code: 'storage_failed' });
    expect(code(toCairnError(Object.assign(new Error('q'), { name: 'QueryFailedError' })))).toEqual({ name: 'CairnError', code: 'storage_failed' });
    expect(code(toCairnError(new SqliteStorageError('closed', 'closed')))).toEqual({ name: 'CairnError', code: 'storage_failed' });
    expect(code(toCairnError(new MigrationError('checksum_mismatch', 'edited')))).toEqual({ name: 'CairnError', code: 'storage_failed' });
  });

  it('maps a newer schema to schema_too_new', () => {
    expect(code(toCairnError(new MigrationError('schema_too_new', 'newer')))).toEqual({ name: 'CairnError', code: 'schema_too_new' });
  });

  it('leaves programming errors alone', () => {
    const bug = new TypeError('undefined is not a function');
    expect(toCairnError(bug)).toBe(bug);
  });
});
