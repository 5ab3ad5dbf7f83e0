import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { withPostgresSession } from '../connection/session.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import { PostgresWritePath } from '../write/write-path.js';
import { SCHEMA_MIGRATION_LOCK_KEY, advisoryTransactionLock, tryAdvisoryTransactionLock, withAdvisoryLock } from './advisory-lock.js';

const opened: DataSource[] = [];
async function open(): Promise<DataSource> {
  const { dataSource } = await openTestPostgresDatabase();
  opened.push(dataSource);
  return dataSource;
}
afterEach(async () => {
  for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy();
});

const advisoryLocksHeld = async (ds: DataSource): Promise<number> =>
  (await ds.query(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted`))[0].n;

describe('withAdvisoryLock', () => {
  it('excludes a second holder of the same key until the first is done, and always unlocks', async () => {
    const ds = await open();
    const events: string[] = [];
    let releaseFirst!: () => void;
    const first = withAdvisoryLock(ds, 'k', async (session) => {
      events.push('first in');
      expect(await session.get('SELECT 1 AS one')).toEqual({ one: 1 });
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      events.push('first out');
      return 'a';
    });
    await new Promise((r) => setTimeout(r, 50));
    const second = withAdvisoryLock(ds, 'k', async () => {
      events.push('second in');
      return 'b';
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual(['first in']);
    releaseFirst();
    expect(await Promise.all([first, second])).toEqual(['a', 'b']);
    expect(events).toEqual(['first in', 'first out', 'second in']);
    expect(await advisoryLocksHeld(ds)).toBe(0);
  });

  it('unlocks when fn throws, even with a transaction left open', async () => {
    const ds = await open();
    const boom = new Error('migration failed');
    await expect(
      withAdvisoryLock(ds, SCHEMA_MIGRATION_LOCK_KEY, async (session) => {
        await session.queryRunner.startTransaction();
        await session.exec('CREATE TABLE half (id int)');
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await advisoryLocksHeld(ds)).toBe(0);
    expect(await ds.query(`SELECT to_regclass('half') AS t`)).toEqual([{ t: null }]);
  });

  it('gives lock_timeout after waitMs, or at once with waitMs 0, while another session holds it', async () => {
    const ds = await open();
    await withAdvisoryLock(ds, 'busy-key', async () => {
      await expect(withAdvisoryLock(ds, 'busy-key', async () => 'never', { waitMs: 0 })).rejects.toMatchObject({
        code: 'lock_timeout',
        details: { key: 'busy-key' },
      });
      const started = Date.now();
      await expect(withAdvisoryLock(ds, 'busy-key', async () => 'never', { waitMs: 150 })).rejects.toMatchObject({ code: 'lock_timeout' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      // Another key is free.
      expect(await withAdvisoryLock(ds, 'other-key', async () => 'free', { waitMs: 0 })).toBe('free');
    });
    // The waiting sessions went back to the pool with their timeouts restored.
    const timeouts = await withPostgresSession(ds, (q) => q.get(`SELECT current_setting('lock_timeout') AS l, current_setting('statement_timeout') AS s`));
    expect(timeouts).toEqual({ l: '10s', s: '30s' });
  });

  it('shares the schema migration key with a raw pg_advisory_xact_lock(hashtext(...)) of another engineer\'s runner', async () => {
    const ds = await open();
    expect(SCHEMA_MIGRATION_LOCK_KEY).toBe('cairn.schema_migration');
    await withAdvisoryLock(ds, SCHEMA_MIGRATION_LOCK_KEY, async () => {
      const taken = await withPostgresSession(ds, async (q) => {
        await q.exec('BEGIN');
        const row = await q.get<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('cairn.schema_migration')) AS ok`);
        await q.exec('ROLLBACK');
        return row!.ok;
      });
      expect(taken).toBe(false);
    });
  });
});

describe('advisoryTransactionLock', () => {
  it('serialises write transactions on a key until COMMIT', async () => {
    const ds = await open();
    await ds.query('CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)');
    const writes = new PostgresWritePath(ds, { isolation: 'read committed' });
    // Read-modify-write under READ COMMITTED loses updates unless something serialises it.
    const bump = () =>
      writes.write(async (ctx) => {
        await advisoryTransactionLock(ctx, 'counter');
        const { n } = (await ctx.get<{ n: number }>('SELECT n FROM counter'))!;
        await ctx.exec('SELECT pg_sleep(0.01)');
        await ctx.run('UPDATE counter SET n = ?', [n + 1]);
      });
    await Promise.all(Array.from({ length: 8 }, bump));
    expect(await ds.query('SELECT n FROM counter')).toEqual([{ n: 8 }]);
    expect(await advisoryLocksHeld(ds)).toBe(0);
  });

  it('try variant answers false while another transaction holds the key', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    await writes.write(async (ctx) => {
      expect(await tryAdvisoryTransactionLock(ctx, 'k')).toBe(true);
      const other = await writes.write((inner) => tryAdvisoryTransactionLock(inner, 'k'));
      expect(other).toBe(false);
    });
    expect(await writes.write((ctx) => tryAdvisoryTransactionLock(ctx, 'k'))).toBe(true);
  });
});
