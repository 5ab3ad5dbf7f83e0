import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runTs } from '@cairn/tooling/child';
import { nativeHandle } from './native.js';
import { openSqliteDatabase, readPragmas } from './open-sqlite-database.js';

const OPEN_FIXTURE = join(import.meta.dirname, '../testing/fixtures/open-database.ts');
const NOBODY = 65534;

describe('openSqliteDatabase', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('asserts WAL, busy_timeout, foreign_keys and synchronous=NORMAL by default', async () => {
    const ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    try {
      expect(await readPragmas(ds)).toEqual({
        journalMode: 'wal',
        busyTimeoutMs: 5000,
        walAutocheckpointPages: 10_000,
        foreignKeys: true,
        synchronous: 'NORMAL',
      });
      // The raw connection agrees with what TypeORM reports.
      const db = nativeHandle(ds);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(1);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(10_000);
    } finally {
      await ds.destroy();
    }
  });

  it('honours synchronous=FULL, a custom busy timeout and a custom checkpoint window', async () => {
    const ds = await openSqliteDatabase({ path: join(dir, 'gateway.db'), synchronous: 'FULL', busyTimeoutMs: 1234, walAutocheckpointPages: 1000 });
    try {
      expect(await readPragmas(ds)).toEqual({
        journalMode: 'wal',
        busyTimeoutMs: 1234,
        walAutocheckpointPages: 1000,
        foreignKeys: true,
        synchronous: 'FULL',
      });
    } finally {
      await ds.destroy();
    }
  });

  it('enforces foreign keys on the opened connection', async () => {
    const ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    try {
      await ds.query('CREATE TABLE parent (id INTEGER PRIMARY KEY)');
      await ds.query('CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id))');
      await expect(ds.query('INSERT INTO child (parent_id) VALUES (42)')).rejects.toThrow(/FOREIGN KEY/);
    } finally {
      await ds.destroy();
    }
  });

  it('switches an existing rollback-journal database to WAL', async () => {
    const path = join(dir, 'legacy.db');
    createRollbackJournalDatabase(path);
    const ds = await openSqliteDatabase({ path });
    expect((await readPragmas(ds)).journalMode).toBe('wal');
    expect(await ds.query('SELECT count(*) AS n FROM legacy')).toEqual([{ n: 1 }]);
    await ds.destroy();
  });

  it('refuses a read-only open of a rollback-journal database with wal_unavailable', async () => {
    const path = join(dir, 'legacy.db');
    createRollbackJournalDatabase(path);
    await expect(openSqliteDatabase({ path, readonly: true })).rejects.toMatchObject({ code: 'wal_unavailable' });
  });

  it('answers open_failed for a file that is not a database', async () => {
    const path = join(dir, 'junk.db');
    writeFileSync(path, Buffer.alloc(8192, 0x5a), { mode: 0o600 });
    await expect(openSqliteDatabase({ path })).rejects.toMatchObject({ code: 'open_failed' });
  });

  it('answers wal_unavailable when the directory is read-only (checked as an unprivileged child)', async () => {
    // Root ignores directory permissions, so the open runs in a child that drops to nobody.
    const asRoot = process.getuid?.() === 0;
    chmodSync(dir, 0o755); // lets the unprivileged child traverse the temp dir
    const roDir = join(dir, 'ro');
    mkdirSync(roDir);
    const path = join(roDir, 'legacy.db');
    createRollbackJournalDatabase(path);
    if (asRoot) chownSync(path, NOBODY, NOBODY);
    chmodSync(roDir, 0o555);
    try {
      const child = await runTs(OPEN_FIXTURE, [path], asRoot ? { uid: NOBODY, gid: NOBODY, timeout: 20_000 } : { timeout: 20_000 });
      expect(child.stderr).toBe('');
      const answer = JSON.parse(child.stdout.trim()) as { ok: boolean; code?: string; message?: string };
      expect(answer).toMatchObject({ ok: false, code: 'wal_unavailable' });
      expect(answer.message).toContain(path);
    } finally {
      chmodSync(roDir, 0o755);
    }
  });
});

function createRollbackJournalDatabase(path: string): void {
  const db = new Database(path);
  try {
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    db.exec("CREATE TABLE legacy (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO legacy (v) VALUES ('x')");
  } finally {
    db.close();
  }
  chmodSync(path, 0o644);
}
