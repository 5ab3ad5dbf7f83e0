import { afterEach, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { postgresBinDir } from '@cairn/tooling/postgres/server';
import { CAIRN_MAIN, servePostgresChildren } from './testing/serve-child.js';

let root: string;
let stop: (() => Promise<unknown>) | undefined;

afterEach(async () => {
  await stop?.();
  stop = undefined;
  rmSync(root, { recursive: true, force: true });
});

function psql(url: string, sql: string): string {
  return execFileSync(join(postgresBinDir(), 'psql'), ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { encoding: 'utf8' }).trim();
}

describe('several gateways on one PostgreSQL server', () => {
  it('two gateways started at the same instant on a fresh database migrate it once and are both ready', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-pg-two-'));
    const { url } = await createTestDatabase('gw_two');
    const masterKey = randomBytes(32).toString('base64');
    const gateways = await servePostgresChildren({ count: 2, databaseUrl: url, masterKey, root });
    stop = gateways.stopAll;
    for (const child of gateways.children) {
      const response = await fetch(`${child.url}/readyz`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, migrations: { ok: true }, schema: { ok: true } } });
    }
    // Each migration of each schema applied exactly once (one row per version, no gap, no duplicate).
    for (const [schema, service] of [['public', 'gateway'], ['cairn_keystore', 'keystore']]) {
      const rows = psql(url, `SELECT count(*) || ':' || count(DISTINCT version) || ':' || max(version) FROM ${schema}.schema_migration WHERE service = '${service}'`);
      const [count, distinct, max] = rows.split(':').map(Number);
      expect(count).toBe(max);
      expect(distinct).toBe(max);
    }
    // One keystore, one master key, whichever gateway created it.
    expect(psql(url, 'SELECT count(*) FROM cairn_keystore.keystore_meta')).toBe('1');
    expect(await gateways.stopAll()).toEqual([0, 0]);
    stop = undefined;

    // Both homes hold no database file: the state is on the server; doctor from either is clean.
    for (const i of [0, 1]) {
      const doctor = await runTs(CAIRN_MAIN, ['--json', 'doctor'], {
        env: { CAIRN_HOME: join(root, `gw-${i}`), CAIRN_DATABASE_URL: url, CAIRN_MASTER_KEY: masterKey, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '' },
      });
      expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, backend: 'postgres' });
    }
  });
});
