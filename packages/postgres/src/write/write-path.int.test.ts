import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { withPostgresSession } from '../connection/session.js';
import type { OpenPostgresOptions } from '../open/open-postgres-database.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import { PostgresWritePath, type PostgresWriteContext } from './write-path.js';

const opened: DataSource[] = [];
async function open(options: Omit<OpenPostgresOptions, 'url'> = {}): Promise<DataSource> {
  const { dataSource } = await openTestPostgresDatabase(options);
  opened.push(dataSource);
  await dataSource.query('CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL)');
  return dataSource;
}
afterEach(async () => {
  for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy();
});

/** Resolves once `parties` callers are waiting on it: makes two transactions interleave on purpose. */
function barrier(parties: number): () => Promise<void> {
  let waiting = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return () => {
    if (++waiting === parties) release();
    return all;
  };
}

const count = async (ds: DataSource, table = 'item'): Promise<number> => (await ds.query(`SELECT count(*) AS n FROM ${table}`))[0].n;
const raise = (sqlstate: string) => `DO $$ BEGIN RAISE EXCEPTION 'raised %', '${sqlstate}' USING ERRCODE = '${sqlstate}'; END $$`;

describe('PostgresWritePath', () => {
  it('resolves with the work\'s value once committed', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    const value = await writes.write(async (ctx) => {
      await ctx.run('INSERT INTO item (id, name) VALUES (?, ?)', [1, 'a']);
      return (await ctx.get<{ n: number }>('SELECT count(*) AS n FROM item'))!.n;
    });
    expect(value).toBe(1);
    // Visible from another connection: committed, not just written.
    expect(await withPostgresSession(ds, (q) => q.get('SELECT name FROM item WHERE id = ?', [1]))).toEqual({ name: 'a' });
    expect(writes.stats).toMatchObject({ commits: 1, attempts: 1, gaveUp: 0 });
  });

  it('rolls back everything when the work throws, and rejects with the work\'s own error', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    const mine = new Error('changed my mind');
    await expect(
      writes.write(async (ctx) => {
        await ctx.run('INSERT INTO item (id, name) VALUES (?, ?)', [1, 'a']);
        await ctx.manager.query('INSERT INTO item (id, name) VALUES ($1, $2)', [2, 'b']);
        throw mine;
      }),
    ).rejects.toBe(mine);
    expect(await count(ds)).toBe(0);
    expect(writes.stats.commits).toBe(0);
  });

  it('runs the manager on the same connection and transaction as the fast path', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    await writes.write(async (ctx) => {
      await ctx.manager.query('INSERT INTO item (id, name) VALUES ($1, $2)', [1, 'orm']);
      expect(await ctx.get('SELECT name FROM item WHERE id = ?', [1])).toEqual({ name: 'orm' });
      // TypeORM's own transaction() becomes a savepoint of ours, and its rollback stays inside it.
      await expect(
        ctx.manager.transaction(async (m) => {
          await m.query('INSERT INTO item (id, name) VALUES ($1, $2)', [2, 'inner']);
          throw new Error('inner fails');
        }),
      ).rejects.toThrow('inner fails');
      const pids = await ctx.get<{ a: number }>('SELECT pg_backend_pid() AS a');
      const [{ b }] = await ctx.manager.query('SELECT pg_backend_pid() AS b');
      expect(pids!.a).toBe(b);
    });
    expect(await ds.query('SELECT id, name FROM item ORDER BY id')).toEqual([{ id: 1, name: 'orm' }]);
  });

  it('contains a failure in a savepoint, and refuses to report a commit when the work swallowed a failed statement', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    await writes.write(async (ctx) => {
      await ctx.run('INSERT INTO item (id, name) VALUES (1, ?)', ['kept']);
      await expect(ctx.savepoint(() => ctx.run('INSERT INTO item (id, name) VALUES (1, ?)', ['duplicate']))).rejects.toMatchObject({
        code: 'constraint',
        pgCode: '23505',
      });
      await ctx.run('INSERT INTO item (id, name) VALUES (2, ?)', ['after']);
    });
    expect(await count(ds)).toBe(2);

    const swallowed = writes.write(async (ctx) => {
      await ctx.run('INSERT INTO item (id, name) VALUES (3, ?)', ['lost']);
      await ctx.run('INSERT INTO item (id, name) VALUES (1, ?)', ['duplicate']).catch(() => undefined);
    });
    await expect(swallowed).rejects.toMatchObject({ code: 'storage_failed', message: expect.stringContaining('nothing was written') });
    expect(await count(ds)).toBe(2);
  });

  it('retries a real serialization failure (write skew under SERIALIZABLE) until both writers succeed', async () => {
    const ds = await open();
    await ds.query(`CREATE TABLE doctor (name text PRIMARY KEY, on_call boolean NOT NULL); INSERT INTO doctor VALUES ('alice', true), ('bob', true)`);
    const writes = new PostgresWritePath(ds);
    const bothRead = barrier(2);
    const attempts: Record<string, number> = { alice: 0, bob: 0 };
    // Each doctor goes off call if someone else is still on call: run serially, only one can.
    const goOffCall = (name: string) =>
      writes.write(async (ctx) => {
        attempts[name]!++;
        const { n } = (await ctx.get<{ n: number }>('SELECT count(*) AS n FROM doctor WHERE on_call'))!;
        if (ctx.attempt === 1) await bothRead(); // both have read before either writes
        if (n < 2) return false;
        await ctx.run('UPDATE doctor SET on_call = false WHERE name = ?', [name]);
        return true;
      });
    const results = await Promise.all([goOffCall('alice'), goOffCall('bob')]);
    expect(results.sort()).toEqual([false, true]);
    expect(await count(ds, 'doctor WHERE on_call')).toBe(1);
    expect(writes.stats.retries.serialization_failure).toBeGreaterThanOrEqual(1);
    expect(attempts.alice! + attempts.bob!).toBeGreaterThanOrEqual(3);
    expect(writes.stats.commits).toBe(2);
  });

  it('retries the loser of a real deadlock (rows locked in opposite order)', async () => {
    const ds = await open();
    await ds.query(`INSERT INTO item VALUES (1, 'one'), (2, 'two')`);
    const writes = new PostgresWritePath(ds, { isolation: 'read committed' });
    const bothLocked = barrier(2);
    const lockInOrder = (first: number, second: number) =>
      writes.write(async (ctx) => {
        // Superuser-only; the test server's user is one. Detection in 50 ms instead of 1 s.
        await ctx.exec("SET LOCAL deadlock_timeout = '50ms'");
        await ctx.run('UPDATE item SET name = name || ? WHERE id = ?', ['+', first]);
        if (ctx.attempt === 1) await bothLocked();
        await ctx.run('UPDATE item SET name = name || ? WHERE id = ?', ['+', second]);
        return ctx.attempt;
      });
    const attempts = await Promise.all([lockInOrder(1, 2), lockInOrder(2, 1)]);
    expect(attempts.sort()).toEqual([1, 2]);
    expect(writes.stats.retries.deadlock).toBe(1);
    expect(await ds.query('SELECT id, name FROM item ORDER BY id')).toEqual([
      { id: 1, name: 'one++' },
      { id: 2, name: 'two++' },
    ]);
  });

  it('gives up after maxAttempts with a typed error, each attempt rolled back', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds, { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    let runs = 0;
    const error = await writes
      .write(async (ctx) => {
        runs++;
        await ctx.run('INSERT INTO item (id, name) VALUES (?, ?)', [runs, 'attempt']);
        await ctx.exec(raise('40001'));
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PostgresStorageError', code: 'serialization_failure', pgCode: '40001', details: { attempts: 3 } });
    expect(runs).toBe(3);
    expect(await count(ds)).toBe(0);
    expect(writes.stats).toMatchObject({ gaveUp: 1, commits: 0, attempts: 3, retries: { serialization_failure: 2 } });
  });

  it('retries even when the work caught the serialization failure itself, with a fresh scratch map', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds, { retry: { baseDelayMs: 1 } });
    const key = Symbol('seen');
    const seen: unknown[] = [];
    await writes.write(async (ctx) => {
      seen.push(ctx.scratch.get(key));
      ctx.scratch.set(key, ctx.attempt);
      await ctx.run('INSERT INTO item (id, name) VALUES (?, ?)', [ctx.attempt, 'try']);
      if (ctx.attempt === 1) await ctx.savepoint(() => ctx.exec(raise('40001'))).catch(() => undefined);
    });
    expect(seen).toEqual([undefined, undefined]);
    expect(await ds.query('SELECT id FROM item')).toEqual([{ id: 2 }]);
    expect(writes.stats.retries.serialization_failure).toBe(1);
  });

  it('retries on a new connection when the connection is lost before COMMIT', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds, { retry: { baseDelayMs: 1 } });
    const pids: number[] = [];
    await writes.write(async (ctx) => {
      pids.push((await ctx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid);
      await ctx.run('INSERT INTO item (id, name) VALUES (?, ?)', [ctx.attempt, 'x']);
      if (ctx.attempt === 1) await ctx.get('SELECT pg_terminate_backend(pg_backend_pid())');
    });
    expect(writes.stats.retries.connection_lost).toBe(1);
    expect(new Set(pids).size).toBe(2);
    expect(await ds.query('SELECT id FROM item')).toEqual([{ id: 2 }]);
  });

  it('says commit_unknown when the connection dies during COMMIT', async () => {
    const ds = await open();
    // A deferred constraint trigger runs inside COMMIT: it sleeps there while another session kills the backend.
    await ds.query(`
      CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(5); RETURN NULL; END $$;
      CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON item DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit();`);
    const writes = new PostgresWritePath(ds);
    let pid = 0;
    const write = writes.write(async (ctx) => {
      pid = (await ctx.get<{ pid: number }>('SELECT pg_backend_pid() AS pid'))!.pid;
      await ctx.run('INSERT INTO item (id, name) VALUES (1, ?)', ['maybe']);
    });
    await withPostgresSession(ds, async (q) => {
      for (let i = 0; i < 200; i++) {
        const row = await q.get<{ committing: boolean }>(
          `SELECT wait_event = 'PgSleep' AS committing FROM pg_stat_activity WHERE pid = ?`,
          [pid],
        );
        if (row?.committing) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await q.get('SELECT pg_terminate_backend(?)', [pid]);
    });
    await expect(write).rejects.toMatchObject({ code: 'commit_unknown' });
    expect(writes.stats.commits).toBe(0);
  });

  it('fails with timeout when a statement runs past statement_timeout', async () => {
    const ds = await open({ statementTimeoutMs: 200 });
    const writes = new PostgresWritePath(ds);
    await expect(writes.write((ctx) => ctx.exec('SELECT pg_sleep(2)'))).rejects.toMatchObject({ code: 'timeout', pgCode: '57014' });
    expect(writes.stats.attempts).toBe(1);
  });

  it('fails with timeout, not retried, when the work leaves its transaction idle past idle_in_transaction_session_timeout', async () => {
    const ds = await open({ idleInTransactionTimeoutMs: 100 });
    const writes = new PostgresWritePath(ds);
    let runs = 0;
    await expect(
      writes.write(async (ctx) => {
        runs++;
        await ctx.run('INSERT INTO item VALUES (1, ?)', ['idle']);
        await new Promise((r) => setTimeout(r, 400)); // what work must not do: wait on something outside the database
        await ctx.run('INSERT INTO item VALUES (2, ?)', ['late']);
      }),
    ).rejects.toMatchObject({ code: 'timeout', pgCode: '25P03' });
    expect(runs).toBe(1);
    expect(await count(ds)).toBe(0);
  });

  it('fails with lock_timeout when a row stays locked past lock_timeout', async () => {
    const ds = await open({ lockTimeoutMs: 200 });
    await ds.query(`INSERT INTO item VALUES (1, 'one')`);
    const writes = new PostgresWritePath(ds);
    await withPostgresSession(ds, async (holder) => {
      await holder.exec('BEGIN');
      await holder.get('SELECT id FROM item WHERE id = 1 FOR UPDATE');
      const started = Date.now();
      await expect(writes.write((ctx) => ctx.run('UPDATE item SET name = ? WHERE id = 1', ['two']))).rejects.toMatchObject({
        code: 'lock_timeout',
        pgCode: '55P03',
      });
      expect(Date.now() - started).toBeLessThan(5000);
      await holder.exec('ROLLBACK');
    });
  });

  it('reads one snapshot while a writer commits in between', async () => {
    const ds = await open();
    await ds.query(`INSERT INTO item VALUES (1, 'one')`);
    const writes = new PostgresWritePath(ds);
    const seen = await writes.read(async (q) => {
      const before = (await q.get<{ n: number }>('SELECT count(*) AS n FROM item'))!.n;
      await writes.write((ctx) => ctx.run('INSERT INTO item VALUES (2, ?)', ['two']));
      const after = (await q.get<{ n: number }>('SELECT count(*) AS n FROM item'))!.n;
      return { before, after };
    });
    expect(seen).toEqual({ before: 1, after: 1 });
    expect(await count(ds)).toBe(2);
    expect(writes.stats.reads).toBe(1);
  });

  it('refuses writes inside read with read_only', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    await expect(writes.read((q) => q.run('INSERT INTO item VALUES (1, ?)', ['x']))).rejects.toMatchObject({ code: 'read_only', pgCode: '25006' });
    expect(await count(ds)).toBe(0);
  });

  it('close waits for work in flight, then refuses new work with closed', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds);
    let finished = false;
    const slow = writes.write(async (ctx) => {
      await ctx.exec('SELECT pg_sleep(0.2)');
      await ctx.run('INSERT INTO item VALUES (1, ?)', ['slow']);
      finished = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(writes.pending).toBe(1);
    await writes.close();
    expect(finished).toBe(true);
    await slow;
    expect(writes.closed).toBe(true);
    await expect(writes.write(async () => undefined)).rejects.toMatchObject({ code: 'closed' });
    await expect(writes.read(async () => undefined)).rejects.toMatchObject({ code: 'closed' });
    expect(await count(ds)).toBe(1);
    // A write path over a destroyed DataSource says closed too.
    const other = new PostgresWritePath(ds);
    await ds.destroy();
    await expect(other.write(async () => undefined)).rejects.toMatchObject({ code: 'closed' });
  });

  it('answers busy when no pooled connection comes free within connectTimeoutMs', async () => {
    const ds = await open({ poolSize: 1, connectTimeoutMs: 200 });
    const writes = new PostgresWritePath(ds);
    await withPostgresSession(ds, async () => {
      await expect(writes.write(async () => undefined)).rejects.toMatchObject({ code: 'busy' });
    });
  });

  it('lets queued normal writes take the connection before a low-priority one', async () => {
    const ds = await open({ poolSize: 1 });
    const writes = new PostgresWritePath(ds);
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    const first = writes.write(async () => {
      order.push('first');
      await firstHolds;
    });
    await new Promise((r) => setTimeout(r, 20));
    const maintenance = writes.write(async () => void order.push('maintenance'), { lowPriority: true });
    await new Promise((r) => setTimeout(r, 20));
    const client = writes.write(async () => void order.push('client'));
    await new Promise((r) => setTimeout(r, 20));
    releaseFirst();
    await Promise.all([first, maintenance, client]);
    expect(order).toEqual(['first', 'client', 'maintenance']);
  });

  it('answers busy at once for a low-priority write with ifFree when the pool or another maintenance write is taken', async () => {
    const ds = await open({ poolSize: 1 });
    const writes = new PostgresWritePath(ds);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const first = writes.write(() => held);
    await new Promise((r) => setTimeout(r, 20));
    await expect(writes.write(async () => 'ran', { lowPriority: true, ifFree: true })).rejects.toMatchObject({ code: 'busy' });
    release();
    await first;
    expect(await writes.write(async () => 'ran', { lowPriority: true, ifFree: true })).toBe('ran');
    let releaseMaintenance!: () => void;
    const maintenanceHolds = new Promise<void>((resolve) => (releaseMaintenance = resolve));
    const maintenance = writes.write(() => maintenanceHolds, { lowPriority: true, ifFree: true });
    await expect(writes.write(async () => 'ran', { lowPriority: true, ifFree: true })).rejects.toMatchObject({ code: 'busy' });
    releaseMaintenance();
    await maintenance;
  });

  it('may run the work more than once, so the work must keep its side effects to the database', async () => {
    const ds = await open();
    const writes = new PostgresWritePath(ds, { retry: { baseDelayMs: 1 } });
    const sideEffects: number[] = [];
    const work = async (ctx: PostgresWriteContext) => {
      sideEffects.push(ctx.attempt); // what the contract forbids: it happens once per attempt
      if (ctx.attempt < 3) await ctx.exec(raise('40P01'));
    };
    await writes.write(work);
    expect(sideEffects).toEqual([1, 2, 3]);
    expect(writes.stats.retries.deadlock).toBe(2);
  });
});
