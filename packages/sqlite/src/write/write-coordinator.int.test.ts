import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { nativeHandle } from '../open/native.js';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from './write-coordinator.js';

describe('SqliteWriteCoordinator (in process)', () => {
  let dir: string;
  let ds: DataSource;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)');
  });
  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const values = async (): Promise<string[]> => ((await ds.query('SELECT v FROM t ORDER BY id')) as Array<{ v: string }>).map((r) => r.v);

  it('serialises 200 concurrent writers, mixing the fast path and the ORM, losing none', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    const writes = Array.from({ length: 200 }, (_, i) =>
      coordinator.write(async (ctx) => {
        if (i % 2 === 0) ctx.run('INSERT INTO t (v) VALUES (?)', [`fast-${i}`]);
        else await ctx.manager.query('INSERT INTO t (v) VALUES (?)', [`orm-${i}`]);
        return i;
      }),
    );
    expect(await Promise.all(writes)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await ds.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 200 }]);
    expect(coordinator.stats.commits).toBeLessThan(200);
    expect(coordinator.stats.jobs).toBe(200);
  });

  it('rolls back only the failing job of a group commit', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    const ok1 = coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['a']));
    const bad = coordinator.write((ctx) => {
      ctx.run('INSERT INTO t (v) VALUES (?)', ['doomed']);
      throw new Error('boom');
    });
    const ok2 = coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['b']));
    await expect(bad).rejects.toThrow('boom');
    await Promise.all([ok1, ok2]);
    expect(await values()).toEqual(['a', 'b']);
    // Tried without savepoints first; the failure sent the survivors round once more, in one commit.
    expect(coordinator.stats).toMatchObject({ commits: 1, jobs: 2, rerunBatches: 1 });
  });

  it('after a failure isolates the rerun: more failures in the same group cost no further run', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    const runs = new Map<string, number>();
    const job = (v: string, fail: boolean) =>
      coordinator.write((ctx) => {
        runs.set(v, (runs.get(v) ?? 0) + 1);
        ctx.run('INSERT INTO t (v) VALUES (?)', [v]);
        if (fail) throw new Error(`refused ${v}`);
        return v;
      });
    const jobs = [job('a', false), job('b', true), job('c', false), job('d', true), job('e', false)];
    const settled = await Promise.allSettled(jobs);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'refused b', 'c', 'refused d', 'e']);
    expect(await values()).toEqual(['a', 'c', 'e']);
    expect(coordinator.stats).toMatchObject({ commits: 1, jobs: 3, rerunBatches: 1 });
    // b failed on the optimistic run and was not run again; d failed inside its own savepoint.
    expect(Object.fromEntries(runs)).toEqual({ a: 2, b: 1, c: 1, d: 1, e: 1 });
  });

  it('gives each transaction its own scratch, emptied when a job is rolled back', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    const key = Symbol('test');
    const seen: Record<string, unknown> = {};
    const set = (v: string, fail = false) =>
      coordinator.write((ctx) => {
        ctx.scratch.set(key, v);
        if (fail) throw new Error(`refused ${v}`);
      });
    const look = (as: string) =>
      coordinator.write((ctx) => {
        seen[as] = ctx.scratch.get(key);
      });
    // b fails on the optimistic run; on the isolated rerun d's rollback takes its scratch with it.
    const group = [set('a'), set('b', true), look('c'), set('d', true), look('e')];
    await Promise.allSettled(group);
    await look('next transaction');
    expect(seen).toEqual({ c: 'a', e: undefined, 'next transaction': undefined });
  });

  it('rejects a lone failing job with its own error, rolls it back, and keeps working', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    const boom = new Error('boom');
    await expect(
      coordinator.write((ctx) => {
        ctx.run('INSERT INTO t (v) VALUES (?)', ['doomed']);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(nativeHandle(ds).inTransaction).toBe(false);
    await coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['after']));
    expect(await values()).toEqual(['after']);
  });

  it('wraps SQLite errors at the edge (constraint_failed with the driver error as cause), for both paths', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    await coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['dup']));
    const fast = coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['dup']));
    const orm = coordinator.write((ctx) => ctx.manager.query('INSERT INTO t (v) VALUES (?)', ['dup']));
    const fine = coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['fine']));
    for (const attempt of [fast, orm]) {
      await expect(attempt).rejects.toMatchObject({
        name: 'SqliteStorageError',
        code: 'constraint_failed',
        details: { sqliteCode: 'SQLITE_CONSTRAINT_UNIQUE' },
      });
    }
    await fine;
    expect(await values()).toEqual(['dup', 'fine']);
  });

  it('lets ORM transactions inside a job join the coordinator transaction as savepoints', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    await coordinator.write(async (ctx) => {
      await ctx.manager.transaction(async (m) => {
        await m.query('INSERT INTO t (v) VALUES (?)', ['inner']);
      });
      await ctx.manager
        .transaction(async (m) => {
          await m.query('INSERT INTO t (v) VALUES (?)', ['inner-doomed']);
          throw new Error('inner rollback');
        })
        .catch(() => undefined);
      ctx.run('INSERT INTO t (v) VALUES (?)', ['outer']);
    });
    expect(await values()).toEqual(['inner', 'outer']);
    expect(nativeHandle(ds).inTransaction).toBe(false);
  });

  it('tryWrite answers busy while another in-process write is queued or running, and runs when idle', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const holder = coordinator.write(async (ctx) => {
      ctx.run('INSERT INTO t (v) VALUES (?)', ['holder']);
      started();
      await gate;
    });
    // Queued but not yet running.
    expect(await coordinator.tryWrite(() => 'never')).toEqual({ ok: false, reason: 'busy' });
    await running;
    const ran: string[] = [];
    expect(await coordinator.tryWrite(() => ran.push('x'))).toEqual({ ok: false, reason: 'busy' });
    release();
    await holder;
    expect(ran).toEqual([]);
    expect(await coordinator.tryWrite((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['low']).changes)).toEqual({ ok: true, value: 1 });
    await expect(coordinator.tryWrite(() => Promise.reject(new Error('maintenance failed')))).rejects.toThrow('maintenance failed');
    expect(await values()).toEqual(['holder', 'low']);
  });

  it('rejects a write that fills the database (SQLITE_FULL), keeps previous data, and keeps working', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    await coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['before']));
    const db = nativeHandle(ds);
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const runs = { a: 0, b: 0 };
    // Queued together, so they share one group commit with the job that overflows.
    const a = coordinator.write((ctx) => {
      runs.a++;
      ctx.run('INSERT INTO t (v) VALUES (?)', ['small-a']);
    });
    const full = coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['x'.repeat(200_000)]));
    const b = coordinator.write((ctx) => {
      runs.b++;
      ctx.run('INSERT INTO t (v) VALUES (?)', ['small-b']);
    });
    await expect(full).rejects.toMatchObject({ code: 'storage_failed', details: { sqliteCode: 'SQLITE_FULL' } });
    await expect(full).rejects.toThrow(/full/);
    await Promise.all([a, b]);
    expect(await values()).toEqual(['before', 'small-a', 'small-b']);
    // SQLite aborted the whole transaction, so the innocent job that had already run ran again.
    expect(runs.a).toBe(2);
    expect(runs.b).toBe(1);
    await expect(coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['y'.repeat(200_000)]))).rejects.toMatchObject({
      code: 'storage_failed',
    });
    await coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['after']));
    expect(await values()).toEqual(['before', 'small-a', 'small-b', 'after']);
    expect(db.inTransaction).toBe(false);
  });

  it('close() drains queued work, then refuses new work with closed', async () => {
    const coordinator = new SqliteWriteCoordinator(ds, { maxBatch: 2 });
    const settled: number[] = [];
    const writes = Array.from({ length: 5 }, (_, i) =>
      coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', [`w${i}`])).then(() => settled.push(i)),
    );
    await coordinator.close();
    expect(settled.sort()).toEqual([0, 1, 2, 3, 4]);
    await Promise.all(writes);
    expect(await values()).toEqual(['w0', 'w1', 'w2', 'w3', 'w4']);
    expect(coordinator.closed).toBe(true);
    await expect(coordinator.write(() => 1)).rejects.toMatchObject({ name: 'SqliteStorageError', code: 'closed' });
    await expect(coordinator.tryWrite(() => 1)).rejects.toMatchObject({ code: 'closed' });
    await coordinator.close(); // idempotent
  });

  it('fails queued work with closed once the DataSource is destroyed', async () => {
    const coordinator = new SqliteWriteCoordinator(ds);
    await coordinator.write((ctx) => ctx.run('INSERT INTO t (v) VALUES (?)', ['x']));
    const other = await openSqliteDatabase({ path: join(dir, 'other.db') });
    const orphan = new SqliteWriteCoordinator(other);
    await other.destroy();
    await expect(orphan.write(() => 1)).rejects.toMatchObject({ code: 'closed' });
  });
});
