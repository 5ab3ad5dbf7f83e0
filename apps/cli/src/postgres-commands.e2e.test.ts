import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runTs } from '@cairn/tooling/child';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { freePort, postgresBinDir } from '@cairn/tooling/postgres/server';
import { CAIRN_MAIN } from './testing/serve-child.js';

// The test server trusts local logins, so a password in the URL is accepted and ignored: it is
// there to prove that no output of the command ever prints it.
const PASSWORD = 'pg-s3cret-never-printed';
let root: string;

afterEach(() => rmSync(root, { recursive: true, force: true }));

function freshHome(): string {
  root = mkdtempSync(join(tmpdir(), 'cairn-pg-cli-'));
  return join(root, 'home');
}

const withPassword = (url: string) => url.replace('postgres://cairn@', `postgres://cairn:${PASSWORD}@`);
const env = (home: string, extra: Record<string, string> = {}) => ({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '', CAIRN_DATABASE_URL: '', ...extra });

/** SQL run by the server's own psql (the command's package may not import the database packages). */
function psql(url: string, sql: string): void {
  execFileSync(join(postgresBinDir(), 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { stdio: 'pipe' });
}

async function cairn(args: string[], envVars: Record<string, string>) {
  const result = await runTs(CAIRN_MAIN, args, { env: envVars });
  expect(`${result.stdout}${result.stderr}`).not.toContain(PASSWORD);
  return result;
}

describe('cairn on PostgreSQL', () => {
  it('migrates the gateway schema once, reports its status, and doctor reads both schemas, the key and the home', async () => {
    const home = freshHome();
    const { url } = await createTestDatabase('gw_cli');
    const vars = env(home, { CAIRN_DATABASE_URL: withPassword(url) });

    const before = await cairn(['--json', 'migrate', '--status'], vars);
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ exists: false, currentVersion: 0, database: expect.stringContaining('postgres://cairn:***@') });
    const fresh = await cairn(['--json', 'doctor'], vars);
    // No home yet (as on SQLite, doctor says so), and nothing created on the server.
    expect(JSON.parse(fresh.stdout)).toMatchObject({ backend: 'postgres', database: { connection: { ok: true } }, keystore: { status: 'absent' } });

    const migrated = await cairn(['migrate'], vars);
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/applied 1 /);
    expect(migrated.stdout).toMatch(/PostgreSQL schema public at postgres:\/\/cairn:\*\*\*@127\.0\.0\.1:\d+\/gw_cli\w* is at version \d+/);
    const again = await cairn(['migrate'], vars);
    expect(again.stdout).toMatch(/nothing to apply/);
    const status = JSON.parse((await cairn(['--json', 'migrate', '--status'], vars)).stdout);
    expect(status).toMatchObject({ exists: true, pending: 0 });

    const doctor = await cairn(['--json', 'doctor'], vars);
    expect(doctor.code).toBe(0);
    const report = JSON.parse(doctor.stdout);
    expect(report).toMatchObject({
      ok: true,
      backend: 'postgres',
      database: { url: expect.stringContaining(':***@'), source: 'CAIRN_DATABASE_URL', connection: { ok: true, writable: true, serverVersionNum: expect.any(Number) } },
      keystore: { status: 'absent' },
    });
    const schemas = Object.values(report.schema) as Array<{ service: string; status: string }>;
    expect(schemas).toEqual(expect.arrayContaining([expect.objectContaining({ service: 'gateway', status: 'current' })]));
    const text = await cairn(['doctor'], vars);
    expect(text.stdout).toMatch(/database postgres:\/\/cairn:\*\*\*@.* PostgreSQL 1\d/);
  });

  it('doctor names a hand-made object in the gateway schema, and migrate refuses to touch it', async () => {
    const home = freshHome();
    const { url } = await createTestDatabase('gw_cli_drift');
    const vars = env(home, { CAIRN_DATABASE_URL: url });
    expect((await cairn(['migrate'], vars)).code).toBe(0);
    psql(url, 'CREATE TABLE planted (id int)');
    const doctor = await cairn(['doctor'], vars);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/schema FAILED .*extra table planted/);
    const migrate = await cairn(['migrate'], vars);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/integrity_failed: PostgreSQL schema public at .*extra table planted/);
  });

  it('backup and restore point at the server tools, with exit code 2', async () => {
    const home = freshHome();
    const { url } = await createTestDatabase('gw_cli_backup');
    for (const args of [['backup'], ['restore']]) {
      const result = await cairn(args, env(home, { CAIRN_DATABASE_URL: withPassword(url) }));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/use pg_dump|use pg_restore/);
    }
  });

  it('refuses a password in the settings file, another scheme, and an unreachable server, each saying what to fix', async () => {
    const home = freshHome();
    mkdirSync(home, { mode: 0o700 });
    writeFileSync(join(home, 'gateway-settings.toml'), `[storage]\ndatabase_url = "postgres://cairn:${PASSWORD}@db.internal/cairn"\n`);
    const inSettings = await cairn(['migrate'], env(home));
    expect(inSettings.code).toBe(1);
    expect(inSettings.stderr).toMatch(/invalid_params: storage\.database_url in .* holds a password.*CAIRN_DATABASE_URL.*\.pgpass.*PGPASSWORD/);
    rmSync(join(home, 'gateway-settings.toml'));

    const scheme = await cairn(['migrate'], env(home, { CAIRN_DATABASE_URL: `mysql://root:${PASSWORD}@db/cairn` }));
    expect(scheme.code).toBe(1);
    expect(scheme.stderr).toMatch(/CAIRN_DATABASE_URL has the scheme 'mysql'; only postgres:\/\/ and postgresql:\/\//);

    const port = await freePort();
    const lost = `postgres://cairn:${PASSWORD}@127.0.0.1:${port}/cairn`;
    for (const args of [['migrate'], ['serve', '--listen', '127.0.0.1:0']]) {
      const unreachable = await cairn(args, env(home, { CAIRN_DATABASE_URL: lost }));
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain(`PostgreSQL at postgres://cairn:***@127.0.0.1:${port}/cairn (from CAIRN_DATABASE_URL)`);
    }
    const doctor = await cairn(['--json', 'doctor'], env(home, { CAIRN_DATABASE_URL: lost }));
    expect(doctor.code).toBe(1);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: false, database: { connection: { ok: false } } });
  });
});
