import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDatabaseFile, openSqliteDatabase } from '@cairn/sqlite';
import { backupRuntime } from './backup-runtime.js';
import { openRuntime } from './open-runtime.js';

const FINAL = /^(gateway|keystore)-\d{8}T\d{6}\.\d{3}Z\.db$/;
let root: string;

afterEach(() => rmSync(root, { recursive: true, force: true }));

async function startedHome(): Promise<string> {
  root = mkdtempSync(join(tmpdir(), 'cairn-backup-runtime-'));
  const home = join(root, 'home');
  const runtime = await openRuntime({ home, env: {}, settings: { log_level: 'silent' } });
  await runtime.close();
  return home;
}

const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe('backupRuntime', () => {
  it('backs up gateway.db and keystore.db under final names only after checking them, after removing what a killed backup left', async () => {
    const home = await startedHome();
    const backups = join(home, 'backups');
    mkdirSync(backups, { mode: 0o700 });
    const leftover = `.gateway-20250101T000000.000Z.db.${deadPid()}-0123456789ab.cairn-tmp`;
    writeFileSync(join(backups, leftover), 'half a copy');
    writeFileSync(join(backups, `${leftover}-journal`), 'its journal');

    const results = await backupRuntime({ home, env: {} });
    expect(results.map((r) => r.path.slice(backups.length + 1).split('-')[0])).toEqual(['gateway', 'keystore']);
    expect(readdirSync(backups).sort()).toEqual(results.map((r) => r.path.slice(backups.length + 1)).sort());
    for (const { path } of results) {
      expect(path.slice(backups.length + 1)).toMatch(FINAL);
      expect(await checkDatabaseFile(path, 'full')).toEqual({ ok: true });
    }
  });

  it('refuses a gateway.db whose schema is newer than this build, and leaves no file in backups/', async () => {
    const home = await startedHome();
    const db = await openSqliteDatabase({ path: join(home, 'gateway.db') });
    await db.query(
      "INSERT INTO schema_migration (service, version, name, checksum, applied_at) VALUES ('gateway', 999, 'from_the_future', 'x', '2030-01-01T00:00:00.000Z')",
    );
    await db.destroy();
    await expect(backupRuntime({ home, env: {} })).rejects.toMatchObject({ code: 'schema_too_new', message: expect.stringContaining('999') });
    expect(readdirSync(join(home, 'backups'))).toEqual([]);
  });

  it('refuses a home that is a file, is missing, or holds no database (invalid_params), creating nothing', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-backup-runtime-'));
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    await expect(backupRuntime({ home: file, env: {} })).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringContaining('is not a directory') });
    const missing = join(root, 'missing');
    await expect(backupRuntime({ home: missing, env: {} })).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringContaining('does not exist') });
    expect(existsSync(missing)).toBe(false);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(backupRuntime({ home: empty, env: {} })).rejects.toMatchObject({ code: 'invalid_params', message: expect.stringContaining('holds no gateway.db or keystore.db') });
    expect(readdirSync(empty)).toEqual([]);
  });
});
