import { describe, expect, it } from '@jest/globals';
import { MigrationError } from './migration-error.js';
import { retryTransient } from './transient.js';

const sqliteError = (code: string) => Object.assign(new Error(code), { code });
/** As TypeORM throws it (`driverError`), then wrapped by the runner (`cause`). */
const wrapped = (code: string) => new MigrationError('lock_failed', 'cannot take the migration lock', { cause: Object.assign(new Error('query failed'), { driverError: sqliteError(code) }) });

describe('retryTransient', () => {
  it('repeats a step that lost a wal-index race (SQLITE_PROTOCOL, SQLITE_BUSY_RECOVERY), seen through driverError and cause', async () => {
    const failures = [wrapped('SQLITE_PROTOCOL'), sqliteError('SQLITE_BUSY_RECOVERY')];
    let calls = 0;
    const result = await retryTransient(async () => {
      calls++;
      const failure = failures.shift();
      if (failure) throw failure;
      return 'done';
    });
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('repeats a PostgreSQL deadlock (40P01) or serialization failure (40001), but not a lock_timeout (55P03)', async () => {
    for (const [code, expected] of [['40P01', 2], ['40001', 2], ['55P03', 1]] as const) {
      let calls = 0;
      await retryTransient(async () => {
        calls++;
        if (calls === 1) throw wrapped(code);
      }).catch(() => undefined);
      expect([code, calls]).toEqual([code, expected]);
    }
  });

  it('does not repeat a plain SQLITE_BUSY (busy_timeout was already waited out) or any other error', async () => {
    for (const error of [wrapped('SQLITE_BUSY'), sqliteError('SQLITE_CORRUPT'), new Error('boom')]) {
      let calls = 0;
      await expect(
        retryTransient(async () => {
          calls++;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('gives up after a bounded number of attempts with the last error', async () => {
    let calls = 0;
    const error = sqliteError('SQLITE_PROTOCOL');
    await expect(
      retryTransient(async () => {
        calls++;
        throw error;
      }),
    ).rejects.toBe(error);
    expect(calls).toBe(20);
  }, 20_000);
});
