import { describe, expect, it } from '@jest/globals';
import { openPostgresDatabase } from '../open/open-postgres-database.js';
import { openTestPostgresDatabase } from '../testing/index.js';
import { checkPostgresIntegrity } from './check-integrity.js';

describe('checkPostgresIntegrity', () => {
  it('finds nothing on a healthy database, having run amcheck over every btree index', async () => {
    const { dataSource } = await openTestPostgresDatabase();
    try {
      await dataSource.query(`
        CREATE TABLE item (id bigserial PRIMARY KEY, name text NOT NULL UNIQUE, size int);
        CREATE INDEX item_size ON item (size);
        INSERT INTO item (name, size) SELECT 'n' || g, g % 10 FROM generate_series(1, 2000) g;`);
      const result = await checkPostgresIntegrity(dataSource, { heapAllIndexed: true });
      expect(result).toEqual({
        ok: true,
        findings: [],
        checks: {
          schemas: ['public'],
          amcheck: { status: 'ran', indexesChecked: 3, skipped: [] },
          dataChecksums: false, // initdb's default, which the test server keeps
          checksumFailures: null,
        },
      });
      // amcheck was installed in a schema of its own, so the checked schema holds nothing new.
      expect(await dataSource.query(`SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'amcheck'`)).toEqual([
        { schema: 'cairn_amcheck' },
      ]);
      expect(await dataSource.query(`SELECT count(*) AS n FROM pg_proc WHERE pronamespace = 'public'::regnamespace`)).toEqual([{ n: 0 }]);
      // The session settings survive the check (it lifts statement_timeout for itself only).
      expect((await dataSource.query(`SELECT current_setting('statement_timeout') AS s`))[0].s).toBe('30s');
    } finally {
      await dataSource.destroy();
    }
  });

  it('creates nothing in the schemas it checks: amcheck goes to its own schema, so a schema fingerprint stays the same', async () => {
    const { dataSource, url } = await openTestPostgresDatabase();
    const own = await openPostgresDatabase({ url, schema: 'cairn_app', createSchema: true });
    const listing = async () =>
      dataSource.query(
        `SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('public', 'cairn_app')
         UNION ALL
         SELECT n.nspname, p.proname, 'function' FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN ('public', 'cairn_app')
         ORDER BY 1, 2`,
      );
    try {
      await own.query('CREATE TABLE item (id int PRIMARY KEY, name text UNIQUE)');
      const before = await listing();
      const result = await checkPostgresIntegrity(own);
      expect(result).toMatchObject({ ok: true, checks: { schemas: ['cairn_app'], amcheck: { status: 'ran', indexesChecked: 2 } } });
      // A second check (and one on public) reuses the installed extension.
      expect((await checkPostgresIntegrity(dataSource)).checks.amcheck).toMatchObject({ status: 'ran' });
      expect(await listing()).toEqual(before);
    } finally {
      await own.destroy();
      await dataSource.destroy();
    }
  });

  it('names the invalid index a failed CREATE INDEX CONCURRENTLY leaves behind', async () => {
    const { dataSource } = await openTestPostgresDatabase();
    try {
      await dataSource.query(`CREATE TABLE account (id int PRIMARY KEY, email text); INSERT INTO account VALUES (1, 'a@x'), (2, 'a@x')`);
      await expect(dataSource.query('CREATE UNIQUE INDEX CONCURRENTLY account_email ON account (email)')).rejects.toThrow(/could not create unique index/);
      const result = await checkPostgresIntegrity(dataSource);
      expect(result).toMatchObject({
        ok: false,
        findings: [{ kind: 'invalid_index', name: 'public.account_email', message: expect.stringContaining('index public.account_email on account is invalid') }],
        problems: [expect.stringContaining('drop it and create it again')],
        // amcheck checked the valid primary key and left the invalid index out.
        checks: { amcheck: { status: 'ran', indexesChecked: 1 } },
      });
      await dataSource.query('DROP INDEX account_email');
      expect((await checkPostgresIntegrity(dataSource)).ok).toBe(true);
    } finally {
      await dataSource.destroy();
    }
  });

  it('reports amcheck as unavailable rather than failing when the extension cannot be created', async () => {
    const { dataSource, url, name } = await openTestPostgresDatabase();
    const role = `plain_${name}`; // roles are cluster-wide
    try {
      await dataSource.query(`CREATE ROLE ${role} LOGIN; CREATE TABLE t (id int PRIMARY KEY); ALTER TABLE t OWNER TO ${role}`);
      const asPlain = await openPostgresDatabase({ url: url.replace('//cairn@', `//${role}@`) });
      try {
        const result = await checkPostgresIntegrity(asPlain);
        expect(result).toMatchObject({ ok: true, checks: { amcheck: { status: 'unavailable', reason: expect.stringMatching(/permission denied/) } } });
        // Invalid indexes and checksums are still checked by an unprivileged role.
        expect(result.checks).toMatchObject({ schemas: ['public'], dataChecksums: false });
      } finally {
        await asPlain.destroy();
      }
    } finally {
      await dataSource.destroy();
    }
  });
});
