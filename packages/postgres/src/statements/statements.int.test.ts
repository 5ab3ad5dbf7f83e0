import { afterEach, describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import { withPostgresSession } from '../connection/session.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import type { OpenPostgresOptions } from '../open/open-postgres-database.js';

const opened: DataSource[] = [];
async function open(options: Omit<OpenPostgresOptions, 'url'> = {}): Promise<DataSource> {
  const { dataSource } = await openTestPostgresDatabase(options);
  opened.push(dataSource);
  return dataSource;
}
afterEach(async () => {
  for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy();
});

describe('PostgresStatements', () => {
  it('runs ?-placeholder SQL: run counts changes, get gives the first row, all every row, exec a script', async () => {
    const ds = await open();
    await withPostgresSession(ds, async (q) => {
      await q.exec('CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL, note text); CREATE INDEX item_name ON item (name)');
      expect(await q.run('INSERT INTO item (name, note) VALUES (?, ?), (?, ?)', ['a', 'what?', 'b', null])).toEqual({ changes: 2 });
      expect(await q.get("SELECT id, name, note, '?' AS literal FROM item WHERE name = ?", ['a'])).toEqual({ id: 1, name: 'a', note: 'what?', literal: '?' });
      expect(await q.get('SELECT id FROM item WHERE name = ?', ['zzz'])).toBeUndefined();
      expect(await q.all('SELECT name FROM item /* all? */ ORDER BY id -- done?')).toEqual([{ name: 'a' }, { name: 'b' }]);
      expect(await q.run('UPDATE item SET note = ? WHERE id > ?', ['x', 0])).toEqual({ changes: 2 });
      expect(await q.all('SELECT $1::int + $2::int AS sum', [2, 3])).toEqual([{ sum: 5 }]);
      const fn = "CREATE FUNCTION ask(x text) RETURNS text LANGUAGE sql AS $$ SELECT x || '?' $$";
      await q.exec(fn);
      expect(await q.get('SELECT ask(?) AS v', ['ok'])).toEqual({ v: 'ok?' });
    });
  });

  it('values gives each row as an array in SELECT order, int8 as numbers, on the same prepared statement as all', async () => {
    const ds = await open();
    await withPostgresSession(ds, async (q) => {
      await q.exec('CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL)');
      await q.run('INSERT INTO item (name) VALUES (?), (?)', ['a', 'b']);
      const sql = 'SELECT name, id, count(*) OVER () AS total FROM item WHERE id > ? ORDER BY id';
      expect(await q.values(sql, [0])).toEqual([['a', 1, 2], ['b', 2, 2]]);
      expect(await q.all(sql, [1])).toEqual([{ name: 'b', id: 2, total: 1 }]);
      expect(await q.values(sql, [1])).toEqual([['b', 2, 1]]);
      expect(await q.values('SELECT id FROM item WHERE id > ?', [9])).toEqual([]);
    });
    const { PostgresWritePath } = await import('../write/write-path.js');
    const path = new PostgresWritePath(ds);
    expect(await path.read((q) => q.values('SELECT name FROM item ORDER BY id'))).toEqual([['a'], ['b']]);
    expect(await path.write((ctx) => ctx.values('SELECT ? AS x', ['y']))).toEqual([['y']]);
    await path.close();
  });

  it('refuses a parameter count that does not match before sending anything', async () => {
    const ds = await open();
    await withPostgresSession(ds, async (q) => {
      await expect(q.get('SELECT ?::int AS v', [])).rejects.toMatchObject({ code: 'invalid_statement' });
      await expect(q.get('SELECT $2::int AS v', [1])).rejects.toMatchObject({ code: 'invalid_statement' });
      await expect(q.get('SELEC 1')).rejects.toMatchObject({ code: 'invalid_statement', pgCode: '42601' });
      // A failed statement leaves the session usable (autocommit).
      expect(await q.get('SELECT ?::int AS v', [7])).toEqual({ v: 7 });
    });
  });

  it('prepares a statement once per connection and reuses it', async () => {
    const ds = await open({ poolSize: 1 });
    await withPostgresSession(ds, async (q) => {
      for (let i = 0; i < 5; i++) expect(await q.get('SELECT ?::int * 2 AS v', [i])).toEqual({ v: i * 2 });
      const rows = await q.all<{ statement: string; runs: number }>(
        "SELECT statement, generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE statement LIKE 'SELECT $1::int * 2%'",
      );
      expect(rows).toEqual([{ statement: 'SELECT $1::int * 2 AS v', runs: 5 }]);
    });
    // The next session on the same (only) connection finds it still prepared.
    await withPostgresSession(ds, async (q) => {
      await q.get('SELECT ?::int * 2 AS v', [9]);
      const row = await q.get<{ runs: number }>("SELECT generic_plans + custom_plans AS runs FROM pg_prepared_statements WHERE statement = 'SELECT $1::int * 2 AS v'");
      expect(row).toEqual({ runs: 6 });
    });
  });

  it('keeps at most maxPreparedStatements per connection, dropping the least recently used', async () => {
    const ds = await open({ poolSize: 1, maxPreparedStatements: 4 });
    await withPostgresSession(ds, async (q) => {
      for (let i = 0; i < 10; i++) await q.get(`SELECT ?::int + ${i} AS v`, [1]);
      await q.get('SELECT ?::int + 0 AS v', [1]); // most recently used again
    });
    await withPostgresSession(ds, async (q) => {
      // (This query is prepared too: the fifth, until the session ends.)
      const rows = await q.all<{ statement: string }>(
        "SELECT statement FROM pg_prepared_statements WHERE name LIKE 'cairn\\_%' AND statement NOT LIKE '%pg_prepared_statements%' ORDER BY statement",
      );
      expect(rows.map((r) => r.statement)).toEqual(['SELECT $1::int + 0 AS v', 'SELECT $1::int + 7 AS v', 'SELECT $1::int + 8 AS v', 'SELECT $1::int + 9 AS v']);
      // A dropped statement is prepared again when it comes back.
      expect(await q.get('SELECT ?::int + 1 AS v', [1])).toEqual({ v: 2 });
    });
  });
});
