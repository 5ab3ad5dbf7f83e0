import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { nativeHandle } from '../open/native.js';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { SqliteWriteCoordinator } from '../write/write-coordinator.js';
import { checkDatabaseFile, integrityCheck, quickCheck } from './check-integrity.js';

describe('quickCheck / integrityCheck', () => {
  let dir: string;
  let path: string;
  const open: DataSource[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-'));
    path = join(dir, 'gateway.db');
    const ds = await openSqliteDatabase({ path });
    await new SqliteWriteCoordinator(ds).write((ctx) => {
      ctx.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v)');
      for (let i = 0; i < 2000; i++) ctx.run('INSERT INTO t (v) VALUES (?)', [`value-${i}-${'x'.repeat(100)}`]);
    });
    await ds.destroy(); // clean close: WAL checkpointed into the main file and removed
  });
  afterEach(async () => {
    for (const ds of open.splice(0)) if (ds.isInitialized) await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const openTracked = async (p: string): Promise<DataSource> => {
    const ds = await openSqliteDatabase({ path: p });
    open.push(ds);
    return ds;
  };

  it('answers ok for a healthy database', async () => {
    const ds = await openTracked(path);
    expect(await quickCheck(ds)).toEqual({ ok: true });
    expect(await integrityCheck(ds)).toEqual({ ok: true });
    expect(await checkDatabaseFile(path, 'quick')).toEqual({ ok: true });
  });

  it('finds a corrupted b-tree page in a copy of the file', async () => {
    const copy = join(dir, 'copy.db');
    copyFileSync(path, copy);
    corruptMiddlePage(copy);

    expect(await checkDatabaseFile(copy)).toMatchObject({ ok: false });
    let ds: DataSource;
    try {
      ds = await openTracked(copy);
    } catch (error) {
      // Also acceptable: the damage is caught on open, with a clear code.
      expect(error).toMatchObject({ code: 'open_failed' });
      return;
    }
    const quick = await quickCheck(ds);
    const full = await integrityCheck(ds);
    for (const result of [quick, full]) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.length).toBeGreaterThan(0);
    }
    // The original is untouched.
    expect(await checkDatabaseFile(path)).toEqual({ ok: true });
  });

  it('reports foreign key violations in the full check only', async () => {
    const ds = await openTracked(path);
    const db = nativeHandle(ds);
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id))');
    db.pragma('foreign_keys = OFF');
    db.exec('INSERT INTO child (parent_id) VALUES (7)');
    db.pragma('foreign_keys = ON');
    expect(await quickCheck(ds)).toEqual({ ok: true });
    const full = await integrityCheck(ds);
    expect(full).toMatchObject({ ok: false });
    if (!full.ok) expect(full.problems).toEqual([expect.stringContaining('foreign key violation: child rowid 1')]);
  });

  it('reports a file that is not a database as a problem', async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, Buffer.alloc(4096, 0x42));
    const result = await checkDatabaseFile(junk);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problems[0]).toContain('SQLITE_NOTADB');
  });

  it('reports a hot journal beside a file (an interrupted write) as a problem instead of throwing', async () => {
    const live = join(dir, 'live.db');
    const db = new Database(live);
    try {
      db.pragma('cache_size = 10'); // spill to the file mid-transaction, so the journal is hot
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)');
      for (let i = 0; i < 300; i++) db.prepare('INSERT INTO t (v) VALUES (randomblob(1000))').run();
      db.exec('BEGIN');
      db.exec('UPDATE t SET v = randomblob(1000)');
      // What a process killed now leaves behind: the file and its journal, nobody holding a lock.
      copyFileSync(live, join(dir, 'torn.db'));
      copyFileSync(`${live}-journal`, join(dir, 'torn.db-journal'));
      db.exec('ROLLBACK');
    } finally {
      db.close();
    }
    const result = await checkDatabaseFile(join(dir, 'torn.db'), 'quick');
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.problems[0]).toMatch(/hot journal.*SQLITE_READONLY_ROLLBACK/);
  });

  it('refuses a closed DataSource with closed', async () => {
    const ds = await openTracked(path);
    await ds.destroy();
    await expect(quickCheck(ds)).rejects.toMatchObject({ code: 'closed' });
  });
});

/** Overwrites the head of a page in the middle of the file (a b-tree page: no freelist here). */
function corruptMiddlePage(file: string): void {
  const header = readFileSync(file).subarray(0, 100);
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = statSync(file).size / pageSize;
  expect(pages).toBeGreaterThan(10);
  const page = Math.floor(pages / 2); // 1-based page number, never page 1 (the schema)
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(64, 0xa5), 0, 64, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}
