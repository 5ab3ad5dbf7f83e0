import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnTs } from '@cairn/tooling/child';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { nativeHandle } from '../open/native.js';
import { backupDatabase } from './backup-database.js';
import { holdDatabaseExclusively, restoreDatabase } from './restore-database.js';

const IDLE_READER = join(import.meta.dirname, '../testing/fixtures/idle-reader.ts');

/** A child that has `path` open, idle, until told to close. */
async function idleReader(path: string) {
  const child = spawnTs(IDLE_READER, [path], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('open')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`idle reader exited ${code}: ${out}`)));
  });
  return {
    async close() {
      child.stdin!.end('\n');
      await new Promise((resolve) => child.on('close', resolve));
    },
  };
}

describe('restoreDatabase (real files, real processes)', () => {
  let dir: string;
  let live: string;
  let backup: string;
  const rows = (path: string) => {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT v FROM t ORDER BY v').all() as Array<{ v: string }>).map((r) => r.v);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-restore-'));
    live = join(dir, 'gateway.db');
    const ds = await openSqliteDatabase({ path: live });
    nativeHandle(ds).exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('before')");
    backup = (await backupDatabase(ds, { dir: join(dir, 'backups') })).path;
    nativeHandle(ds).exec("INSERT INTO t VALUES ('after')");
    await ds.destroy();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const leftovers = () => readdirSync(dir).filter((name) => name.endsWith('.cairn-tmp') || /-(wal|shm|journal)$/.test(name));

  it('replaces the file with the backup, runs beforeCommit while the old file is still in place, leaves no temp', async () => {
    const seen: string[][] = [];
    const result = await restoreDatabase(backup, live, { beforeCommit: async () => void seen.push(rows(backup)) });
    expect(result.path).toBe(live);
    expect(seen).toEqual([['before']]);
    expect(rows(live)).toEqual(['before']);
    expect(leftovers()).toEqual([]);
    // It opens normally again, back in WAL mode.
    const ds = await openSqliteDatabase({ path: live });
    expect(nativeHandle(ds).pragma('journal_mode', { simple: true })).toBe('wal');
    await ds.destroy();
  });

  it('refuses while another process has the file open, even idle: database_in_use, nothing changed', async () => {
    const reader = await idleReader(live);
    try {
      await expect(restoreDatabase(backup, live)).rejects.toMatchObject({ code: 'database_in_use', details: { path: live } });
      expect(() => holdDatabaseExclusively(live)).toThrow(expect.objectContaining({ code: 'database_in_use' }));
    } finally {
      await reader.close();
    }
    expect(rows(live)).toEqual(['after', 'before']);
    expect(readdirSync(dir).filter((name) => name.endsWith('.cairn-tmp'))).toEqual([]);
    await restoreDatabase(backup, live);
    expect(rows(live)).toEqual(['before']);
  });

  it('holds the file while it works: a process opening it meanwhile is refused', async () => {
    const hold = holdDatabaseExclusively(live);
    try {
      const other = new Database(live, { timeout: 0 });
      expect(() => other.prepare('SELECT count(*) FROM t').get()).toThrow(/locked|busy/i);
      other.close();
    } finally {
      hold.release();
    }
    expect(rows(live)).toEqual(['after', 'before']);
  });

  it('a beforeCommit that throws refuses the restore: the old file stays, the copy is removed', async () => {
    await expect(restoreDatabase(backup, live, { beforeCommit: async () => Promise.reject(new Error('marker not recorded')) })).rejects.toThrow('marker not recorded');
    expect(rows(live)).toEqual(['after', 'before']);
    expect(readdirSync(dir).filter((name) => name.endsWith('.cairn-tmp'))).toEqual([]);
  });

  it('creates a missing file, and never lets a stale -wal left beside it be replayed into the copy', async () => {
    // A WAL full of frames of another database, left where the restored file will live.
    const other = join(dir, 'other.db');
    const db = new Database(other);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('stale wal')");
    rmSync(live);
    copyFileSync(`${other}-wal`, `${live}-wal`);
    db.close();
    await restoreDatabase(backup, live);
    expect(existsSync(`${live}-wal`)).toBe(false);
    expect(rows(live)).toEqual(['before']);
  });

  it('refuses a missing backup and a damaged one', async () => {
    await expect(restoreDatabase(join(dir, 'nope.db'), live)).rejects.toMatchObject({ code: 'invalid_path' });
    const damaged = join(dir, 'damaged.db');
    copyFileSync(backup, damaged);
    const fd = await import('node:fs').then((fs) => fs.openSync(damaged, 'r+'));
    const { writeSync, closeSync } = await import('node:fs');
    writeSync(fd, Buffer.alloc(4096, 0xff), 0, 4096, 4096);
    closeSync(fd);
    await expect(restoreDatabase(damaged, live)).rejects.toMatchObject({ code: 'integrity_failed' });
    expect(rows(live)).toEqual(['after', 'before']);
  });
});
