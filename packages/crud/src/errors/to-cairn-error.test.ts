import { describe, expect, it } from '@jest/globals';
import { CairnError, isCairnError } from '@cairn/protocol';
import { PostgresStorageError } from '@cairn/postgres';
import { SqliteStorageError } from '@cairn/sqlite';
import { toCairnError } from './to-cairn-error.js';

const codeOf = (error: unknown) => (isCairnError(error) ? error.code : 'not a CairnError');

describe('toCairnError', () => {
  it('maps storage-layer errors to protocol codes, keeping the original as cause', () => {
    const constraint = new SqliteStorageError('constraint_failed', 'UNIQUE constraint failed: thread.thread_id');
    const mapped = toCairnError(constraint);
    expect(codeOf(mapped)).toBe('conflict');
    expect((mapped as Error).cause).toBe(constraint);
    expect((mapped as Error).message).not.toContain('thread.thread_id');
    expect(codeOf(toCairnError(new SqliteStorageError('busy', 'locked')))).toBe('busy');
    expect(codeOf(toCairnError(new SqliteStorageError('storage_failed', 'disk I/O error')))).toBe('storage_failed');
  });

  it('maps PostgreSQL storage errors alike: constraint is conflict, contention after retries is busy', () => {
    const constraint = new PostgresStorageError('constraint', 'duplicate key value violates unique constraint', { pgCode: '23505' });
    expect(codeOf(toCairnError(constraint))).toBe('conflict');
    expect((toCairnError(constraint) as Error).cause).toBe(constraint);
    for (const code of ['serialization_failure', 'deadlock', 'lock_timeout', 'busy'] as const) {
      expect(codeOf(toCairnError(new PostgresStorageError(code, code)))).toBe('busy');
    }
    // A COMMIT whose outcome is unknown is its own code: the client must retry with the same key, not assume nothing landed.
    expect(codeOf(toCairnError(new PostgresStorageError('commit_unknown', 'connection lost during COMMIT')))).toBe('commit_unknown');
    for (const code of ['timeout', 'connection_failed', 'storage_failed', 'invalid_statement'] as const) {
      expect(codeOf(toCairnError(new PostgresStorageError(code, code)))).toBe('storage_failed');
    }
  });

  it('passes CairnErrors through and leaves programming errors untouched', () => {
    const own = new CairnError('not_found', 'no such thread');
    expect(toCairnError(own)).toBe(own);
    const bug = new TypeError('x is undefined');
    expect(toCairnError(bug)).toBe(bug);
  });
});
