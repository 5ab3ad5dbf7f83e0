import { expect, it, jest } from '@jest/globals';
import { createTestDatabase } from '@cairn/tooling/postgres';
import {
  PostgresWritePath,
  SCHEMA_MIGRATION_LOCK_KEY,
  checkPostgresHealth,
  checkPostgresIntegrity,
  openPostgresDatabase,
  withAdvisoryLock,
} from './index.js';

// The README's example, run as written (readme.test.ts checks the two stay the same).
it('runs the README example', async () => {
  const { url } = await createTestDatabase();
  const turnId = 42;
  const notifySubscribers = jest.fn();

  // README example start
  const ds = await openPostgresDatabase({ url, schema: 'cairn', createSchema: true }); // url: else CAIRN_DATABASE_URL
  const health = await checkPostgresHealth(ds);
  if (!health.ok || !health.writable) throw new Error(`database not usable: ${health.ok ? 'read-only' : health.message}`);

  // One gateway at a time changes the schema; the others wait up to a minute.
  await withAdvisoryLock(ds, SCHEMA_MIGRATION_LOCK_KEY, (session) => session.exec(
    'CREATE TABLE IF NOT EXISTS turn (id bigint PRIMARY KEY, last_seq bigint NOT NULL)',
  ), { waitMs: 60_000 });

  const writes = new PostgresWritePath(ds);
  const seq = await writes.write(async (ctx) => {
    // Runs inside BEGIN ISOLATION LEVEL SERIALIZABLE ... COMMIT. Database work only: it may run more than once.
    await ctx.run('INSERT INTO turn (id, last_seq) VALUES (?, 0) ON CONFLICT (id) DO NOTHING', [turnId]);
    const row = await ctx.get<{ last_seq: number }>('UPDATE turn SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq', [turnId]);
    return row!.last_seq; // a number: int8 comes back as a JS number
  });
  notifySubscribers(seq); // side effects only after write resolved: it is committed

  const turns = await writes.read((q) => q.all('SELECT id, last_seq FROM turn ORDER BY id')); // one snapshot
  const integrity = await checkPostgresIntegrity(ds);
  if (!integrity.ok) console.warn(`database findings: ${integrity.problems.join('; ')}`);

  await writes.close();
  await ds.destroy();
  // README example end

  expect(notifySubscribers).toHaveBeenCalledWith(1);
  expect(turns).toEqual([{ id: 42, last_seq: 1 }]);
  expect(integrity.ok).toBe(true);
});
