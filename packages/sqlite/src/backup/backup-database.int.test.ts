import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { checkDatabaseFile } from '../integrity/check-integrity.js';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from '../write/write-coordinator.js';
import { backupDatabase } from './backup-database.js';

const PREFILL = 3000;
const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('backupDatabase', () => {
  let dir: string;
  let ds: DataSource;
  let coordinator: SqliteWriteCoordinator;
  let previousUmask: number;
  beforeEach(async () => {
    previousUmask = process.umask(0); // modes below must not depend on the umask
    dir = mkdtempSync(join(tmpdir(), 'cairn-'));
    ds = await openSqliteDatabase({ path: join(dir, 'home', 'gateway.db') });
    coordinator = new SqliteWriteCoordinator(ds);
    await coordinator.write((ctx) => {
      // One monotonic sequence: every consistent snapshot holds exactly the rows 1..n.
      ctx.exec('CREATE TABLE seq (id INTEGER PRIMARY KEY, payload BLOB NOT NULL)');
      for (let i = 0; i < PREFILL; i++) ctx.run('INSERT INTO seq (payload) VALUES (randomblob(300))');
    });
  });
  afterEach(async () => {
    await coordinator.close();
    await ds.destroy();
    process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('copies a consistent snapshot while writers keep committing', async () => {
    let stop = false;
    let committedDuringBackup = 0;
    let backupRunning = true;
    const writer = (async () => {
      while (!stop) {
        await coordinator.write((ctx) => ctx.run('INSERT INTO seq (payload) VALUES (randomblob(300))'));
        if (backupRunning) committedDuringBackup++;
      }
    })();
    const backupDir = join(dir, 'home', 'backups');
    const result = await backupDatabase(ds, { dir: backupDir, pagesPerStep: 4 });
    backupRunning = false;
    stop = true;
    await writer;

    expect(committedDuringBackup).toBeGreaterThan(0);
    expect(result.path).toMatch(/\/gateway-\d{8}T\d{6}\.\d{3}Z\.db$/);
    expect(result.path.startsWith(backupDir)).toBe(true);
    expect(result.bytes).toBe(statSync(result.path).size);
    expect(modeOf(backupDir)).toBe(0o700);
    expect(modeOf(result.path)).toBe(0o600);
    // One self-contained file: no journal, WAL or shared-memory file beside it.
    expect(readdirSync(backupDir)).toEqual([result.path.slice(backupDir.length + 1)]);

    expect(await checkDatabaseFile(result.path, 'full')).toEqual({ ok: true });
    const copy = new Database(result.path, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      const { n, lo, hi } = copy.prepare('SELECT count(*) AS n, min(id) AS lo, max(id) AS hi FROM seq').get() as { n: number; lo: number; hi: number };
      const [{ total }] = (await ds.query('SELECT count(*) AS total FROM seq')) as [{ total: number }];
      expect(n).toBeGreaterThanOrEqual(PREFILL);
      expect(n).toBeLessThanOrEqual(total);
      expect([lo, hi]).toEqual([1, n]); // a contiguous prefix: the source at one instant
      const last = copy.prepare('SELECT hex(payload) AS h FROM seq WHERE id = ?').get(n) as { h: string };
      expect(await ds.query('SELECT hex(payload) AS h FROM seq WHERE id = ?', [n])).toEqual([last]);
    } finally {
      copy.close();
    }
    // And it is a database Cairn can open as its own (the restore path).
    const restored = await openSqliteDatabase({ path: result.path });
    expect(await restored.query('SELECT count(*) >= ? AS ok FROM seq', [PREFILL])).toEqual([{ ok: 1 }]);
    await restored.destroy();
  });

  it('never overwrites an existing backup', async () => {
    const at = new Date('2025-01-31T12:00:00.123Z');
    const backupDir = join(dir, 'backups');
    const first = await backupDatabase(ds, { dir: backupDir, now: () => at });
    expect(first.path).toBe(join(backupDir, 'gateway-20250131T120000.123Z.db'));
    expect(first.takenAt).toBe('2025-01-31T12:00:00.123Z');
    const before = statSync(first.path);
    await coordinator.write((ctx) => ctx.run('INSERT INTO seq (payload) VALUES (randomblob(300))'));
    await expect(backupDatabase(ds, { dir: backupDir, now: () => at })).rejects.toMatchObject({
      name: 'SqliteStorageError',
      code: 'backup_exists',
    });
    const after = statSync(first.path);
    expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]);
    expect(readdirSync(backupDir)).toEqual(['gateway-20250131T120000.123Z.db']);
  });

  it("runs the caller's check on the finished copy before it gets its name, and a refusal leaves nothing", async () => {
    const backupDir = join(dir, 'backups');
    const seen: string[] = [];
    const refusal = Object.assign(new Error('schema of the copy is newer than this build'), { code: 'schema_too_new' });
    await expect(
      backupDatabase(ds, {
        dir: backupDir,
        check: async (copy) => {
          seen.push(String(copy.options.database));
          const [{ n }] = (await copy.query('SELECT count(*) AS n FROM seq')) as [{ n: number }];
          expect(n).toBe(PREFILL);
          throw refusal;
        },
      }),
    ).rejects.toBe(refusal);
    // The check saw the copy under its temp name; no file of any kind is left.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/\/\.gateway-\d{8}T\d{6}\.\d{3}Z\.db\.\d+-[0-9a-f]{12}\.cairn-tmp$/);
    expect(readdirSync(backupDir)).toEqual([]);

    const accepted = await backupDatabase(ds, { dir: backupDir, check: async () => undefined });
    expect(readdirSync(backupDir)).toEqual([accepted.path.slice(backupDir.length + 1)]);
  });

  it('refuses an in-memory database and a closed DataSource', async () => {
    const memory = await openSqliteDatabase({ path: ':memory:' });
    await expect(backupDatabase(memory, { dir: join(dir, 'b') })).rejects.toMatchObject({ code: 'invalid_path' });
    await memory.destroy();
    await expect(backupDatabase(memory, { dir: join(dir, 'b') })).rejects.toMatchObject({ code: 'closed' });
    expect(existsSync(join(dir, 'b'))).toBe(false);
  });
});
