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
      // amcheck was created where the search_path put it.
      expect(await dataSource.query(`SELECT extname FROM pg_extension WHERE extname = 'amcheck'`)).toEqual([{ extname: 'amcheck' }]);
      // The session settings survive the check (it lifts statement_timeout for itself only).
      expect((await dataSource.query(`SELECT current_setting('statement_timeout') AS s`))[0].s).toBe('30s');
    } finally {
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
