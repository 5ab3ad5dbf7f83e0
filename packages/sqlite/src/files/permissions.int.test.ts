import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from '../write/write-coordinator.js';
import { checkFileModes, databaseFileHealth, ensurePrivateDirectory } from './permissions.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('file and directory hardening', () => {
  let dir: string;
  let previousUmask: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-'));
    // The most careless umask there is: every mode below must come from our code, not from it.
    previousUmask = process.umask(0);
  });
  afterEach(() => {
    process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the home directory 0700, and tightens an existing looser one', () => {
    const home = join(dir, 'nested', 'home');
    ensurePrivateDirectory(home);
    expect(modeOf(home)).toBe(0o700);
    const loose = join(dir, 'loose');
    mkdirSync(loose, { mode: 0o777 });
    expect(modeOf(loose)).toBe(0o777);
    ensurePrivateDirectory(loose);
    expect(modeOf(loose)).toBe(0o700);
  });

  it('refuses a home path that is a file', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(() => ensurePrivateDirectory(file)).toThrow(expect.objectContaining({ name: 'SqliteStorageError' }));
  });

  it('leaves the database, -wal and -shm at 0600 after open and a write, with umask 000', async () => {
    const home = join(dir, 'home');
    const path = join(home, 'gateway.db');
    const ds = await openSqliteDatabase({ path });
    try {
      await new SqliteWriteCoordinator(ds).write((ctx) => {
        ctx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
        ctx.run('INSERT INTO t (v) VALUES (?)', ['x']);
      });
      expect(modeOf(home)).toBe(0o700);
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect([file, modeOf(file)]).toEqual([file, 0o600]);
      expect(databaseFileHealth(path).map((h) => h.status)).toEqual(['ok', 'ok', 'ok']);
    } finally {
      await ds.destroy();
    }
  });

  it('tightens an existing 0644 database before SQLite creates its siblings', async () => {
    const path = join(dir, 'gateway.db');
    const first = await openSqliteDatabase({ path });
    await first.destroy();
    chmodSync(path, 0o644);
    const ds = await openSqliteDatabase({ path });
    try {
      await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      expect(databaseFileHealth(path).map((h) => [h.status, h.mode])).toEqual([
        ['ok', '600'],
        ['ok', '600'],
        ['ok', '600'],
      ]);
    } finally {
      await ds.destroy();
    }
  });

  it('reports ok, missing and too_permissive per file', async () => {
    const path = join(dir, 'gateway.db');
    const ds = await openSqliteDatabase({ path });
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await ds.destroy(); // a clean close removes -wal and -shm
    expect(databaseFileHealth(path)).toEqual([
      { path, status: 'ok', mode: '600', expectedMode: '600' },
      { path: `${path}-wal`, status: 'missing', expectedMode: '600' },
      { path: `${path}-shm`, status: 'missing', expectedMode: '600' },
    ]);
    chmodSync(path, 0o644);
    expect(databaseFileHealth(path)[0]).toEqual({ path, status: 'too_permissive', mode: '644', expectedMode: '600' });
    // Stricter than expected is fine.
    chmodSync(path, 0o400);
    expect(checkFileModes([{ path, expectedMode: 0o600 }])[0]?.status).toBe('ok');
  });
});
