import { afterEach, describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { freePort } from '@cairn/tooling/postgres/server';
import type { DataSource } from 'typeorm';
import { withPostgresSession } from '../connection/session.js';
import { databaseUrlFromEnv } from '../env.js';
import { openPostgresDatabase } from './open-postgres-database.js';
import { assertSessionSettings, readSessionSettings, type PostgresSessionReport } from './session-settings.js';
import { startStrippingProxy } from '../testing/strip-startup-proxy.js';

const opened: DataSource[] = [];
async function open(...args: Parameters<typeof openPostgresDatabase>): Promise<DataSource> {
  const ds = await openPostgresDatabase(...args);
  opened.push(ds);
  return ds;
}
afterEach(async () => {
  for (const ds of opened.splice(0)) if (ds.isInitialized) await ds.destroy();
});

describe('openPostgresDatabase', () => {
  it('asserts the default session settings on every pooled connection', async () => {
    const { url, name } = await createTestDatabase();
    const ds = await open({ url });
    expect(await readSessionSettings(ds)).toEqual({
      serverVersion: expect.stringMatching(/^1[5-9]/),
      serverVersionNum: expect.any(Number),
      database: name,
      user: 'cairn',
      statementTimeoutMs: 30_000,
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 60_000,
      applicationName: 'cairn',
      searchPath: '"public"',
      currentSchema: 'public',
    });
    // Hold five connections at once: each was opened by the pool, each has the settings.
    const seen = await Promise.all(
      Array.from({ length: 5 }, () =>
        withPostgresSession(ds, async (q) => {
          const row = await q.get<{ pid: number; statement_timeout: string; lock_timeout: string }>(
            `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS statement_timeout, current_setting('lock_timeout') AS lock_timeout`,
          );
          await q.exec('SELECT pg_sleep(0.05)');
          return row!;
        }),
      ),
    );
    expect(new Set(seen.map((r) => r.pid)).size).toBe(5);
    for (const row of seen) expect(row).toMatchObject({ statement_timeout: '30s', lock_timeout: '10s' });
    const activity = await ds.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'cairn'`, [name]);
    expect(activity[0].n).toBeGreaterThanOrEqual(5);
  });

  it('applies custom timeouts, application name and a schema it creates', async () => {
    const { url } = await createTestDatabase();
    const ds = await open({
      url,
      statementTimeoutMs: 1234,
      lockTimeoutMs: 567,
      idleInTransactionTimeoutMs: 0,
      applicationName: 'cairn-test',
      schema: 'cairn_state',
      createSchema: true,
      poolSize: 3,
    });
    expect(await readSessionSettings(ds)).toMatchObject({
      statementTimeoutMs: 1234,
      lockTimeoutMs: 567,
      idleInTransactionTimeoutMs: 0,
      applicationName: 'cairn-test',
      currentSchema: 'cairn_state',
    });
    await ds.query('CREATE TABLE thing (id int)');
    expect(await ds.query(`SELECT table_schema FROM information_schema.tables WHERE table_name = 'thing'`)).toEqual([{ table_schema: 'cairn_state' }]);
  });

  it('refuses a schema that does not exist unless told to create it', async () => {
    const { url } = await createTestDatabase();
    await expect(openPostgresDatabase({ url, schema: 'missing' })).rejects.toMatchObject({
      code: 'settings_mismatch',
      message: expect.stringContaining('schema missing does not exist'),
    });
  });

  it('refuses a connection on which a setting did not stick (a proxy that drops statement_timeout, as some poolers do)', async () => {
    const { name } = await createTestDatabase();
    const target = JSON.parse(process.env.CAIRN_TEST_PG_SERVER!) as { host: string; port: number };
    const proxy = await startStrippingProxy(target, ['statement_timeout']);
    try {
      const error = await openPostgresDatabase({ url: `postgres://cairn@127.0.0.1:${proxy.port}/${name}` }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PostgresStorageError', code: 'settings_mismatch', details: { mismatches: [expect.stringMatching(/^statement_timeout=0 /)] } });
    } finally {
      await proxy.close();
    }
  });

  it('refuses a server older than 15, and any setting that reads back otherwise', () => {
    const report: PostgresSessionReport = {
      serverVersion: '14.11',
      serverVersionNum: 140011,
      database: 'd',
      user: 'u',
      statementTimeoutMs: 30_000,
      lockTimeoutMs: 10_000,
      idleInTransactionTimeoutMs: 60_000,
      applicationName: 'cairn',
      searchPath: 'public',
      currentSchema: 'public',
    };
    const expected = { schema: 'public', applicationName: 'cairn', statementTimeoutMs: 30_000, lockTimeoutMs: 10_000, idleInTransactionTimeoutMs: 60_000 };
    expect(() => assertSessionSettings(report, expected, 'here')).toThrow(expect.objectContaining({ code: 'unsupported_server' }));
    const v15 = { ...report, serverVersion: '15.6', serverVersionNum: 150006 };
    expect(() => assertSessionSettings(v15, expected, 'here')).not.toThrow();
    expect(() => assertSessionSettings({ ...v15, lockTimeoutMs: 0 }, expected, 'here')).toThrow(
      expect.objectContaining({ code: 'settings_mismatch', details: { mismatches: ['lock_timeout=0 (expected 10000)'] } }),
    );
  });

  it('refuses options it cannot apply before connecting', async () => {
    const url = 'postgres://cairn@127.0.0.1:1/x';
    await expect(openPostgresDatabase({ url, statementTimeoutMs: -1 })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(openPostgresDatabase({ url, lockTimeoutMs: 1.5 })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(openPostgresDatabase({ url, schema: 'no"pe' })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(openPostgresDatabase({ url, applicationName: 'x'.repeat(64) })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(openPostgresDatabase({ url, poolSize: 0 })).rejects.toMatchObject({ code: 'invalid_options' });
  });

  it('returns int8 as numbers, and refuses one that is not a safe integer', async () => {
    const { url } = await createTestDatabase();
    const ds = await open({ url, poolSize: 1 });
    await ds.query('CREATE TABLE big (id bigserial PRIMARY KEY, v int8)');
    expect(await ds.query('INSERT INTO big (v) VALUES ($1) RETURNING id, v', [Number.MAX_SAFE_INTEGER])).toEqual([{ id: 1, v: Number.MAX_SAFE_INTEGER }]);
    const rows = await ds.query(`SELECT count(*) AS n, (-9007199254740991)::int8 AS min, ARRAY[1, NULL, 3]::int8[] AS arr, '{{1,2},{3,4}}'::int8[] AS grid, 1.5::numeric AS exact`);
    expect(rows).toEqual([{ n: 1, min: -Number.MAX_SAFE_INTEGER, arr: [1, null, 3], grid: [[1, 2], [3, 4]], exact: '1.5' }]);
    await expect(ds.query('SELECT 9007199254740992::int8 AS v')).rejects.toMatchObject({ code: 'unsafe_integer' });
    await expect(ds.query(`SELECT ARRAY[1, 9007199254740993]::int8[] AS v`)).rejects.toMatchObject({ code: 'unsafe_integer' });
    // The connection survives the refusal.
    expect(await ds.query('SELECT 2::int8 AS v')).toEqual([{ v: 2 }]);
  });

  it('fails with connection_failed for an unreachable server, without the password anywhere', async () => {
    const port = await freePort();
    const error = await openPostgresDatabase({ url: `postgres://cairn:s3cret-pw@127.0.0.1:${port}/db`, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PostgresStorageError', code: 'connection_failed' });
    expect((error as Error).message).toContain(`postgres://cairn:***@127.0.0.1:${port}/db`);
    expect(inspect(error, { depth: 10 })).not.toContain('s3cret-pw');
  });

  it('fails with connection_failed for a bad URL, a missing database or an unknown scheme, never echoing the password', async () => {
    const target = JSON.parse(process.env.CAIRN_TEST_PG_SERVER!) as { host: string; port: number };
    const cases = [
      'postgres://cairn:s3cret-pw@[::1/db',
      'postgres://cairn:s3cret%2Dpw@127.0.0.1:notaport/db',
      `postgres://cairn:s3cret-pw@${target.host}:${target.port}/no_such_database`,
      'mysql://cairn:s3cret-pw@127.0.0.1/db',
      `postgres://cairn@${target.host}:${target.port}/no_such_database?password=s3cret-pw`,
    ];
    for (const url of cases) {
      const error = await openPostgresDatabase({ url, connectTimeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'PostgresStorageError', code: 'connection_failed' });
      const shown = inspect(error, { depth: 10 });
      expect(shown).not.toContain('s3cret');
    }
    const missing = await openPostgresDatabase({ url: cases[2]! }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ pgCode: '3D000' });
  });

  it('reads CAIRN_DATABASE_URL', async () => {
    expect(databaseUrlFromEnv({ CAIRN_DATABASE_URL: ' postgres://x@h/d ' })).toBe('postgres://x@h/d');
    expect(databaseUrlFromEnv({ CAIRN_DATABASE_URL: '  ' })).toBeUndefined();
    expect(databaseUrlFromEnv({})).toBeUndefined();
    const { url } = await createTestDatabase();
    const previous = process.env.CAIRN_DATABASE_URL;
    process.env.CAIRN_DATABASE_URL = url;
    try {
      const ds = await open();
      expect((await readSessionSettings(ds)).applicationName).toBe('cairn');
    } finally {
      if (previous === undefined) delete process.env.CAIRN_DATABASE_URL;
      else process.env.CAIRN_DATABASE_URL = previous;
    }
  });
});
