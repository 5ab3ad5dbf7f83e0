import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from './write-coordinator.js';

describe('SqliteWriteCoordinator (in process)', () => {
  let dir: string;
  let ds: DataSource;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-sqlite-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  });
  afterEach(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

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
    expect(await ds.query('SELECT v FROM t ORDER BY id')).toEqual([{ v: 'a' }, { v: 'b' }]);
  });
});
