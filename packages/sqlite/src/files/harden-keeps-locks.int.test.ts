import { afterEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import { nativeHandle } from '../open/native.js';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { hardenDatabaseFiles } from './permissions.js';

const TRY_LOCK = join(import.meta.dirname, '../testing/fixtures/try-write-lock.ts');

/**
 * POSIX advisory locks belong to the process: closing any descriptor of a file drops every
 * lock the process holds on it. Hardening (and a second open of the same file) must therefore
 * never open and close SQLite's files while a connection of this process has them locked.
 */
describe('hardening an open database keeps its connections\' locks', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a write transaction stays exclusive across hardenDatabaseFiles and a second open in the same process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-locks-'));
    const path = join(dir, 'gateway.db');
    const writer = await openSqliteDatabase({ path });
    const db = nativeHandle(writer);
    db.exec('CREATE TABLE t (x)');
    db.exec('BEGIN IMMEDIATE');
    db.exec('INSERT INTO t VALUES (1)');
    try {
      expect((await runTs(TRY_LOCK, [path])).stdout.trim()).toBe('busy');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) chmodSync(file, 0o644);
      expect(hardenDatabaseFiles(path).map((c) => c.to)).toEqual(['600', '600', '600']);
      const reader = await openSqliteDatabase({ path, readonly: true });
      const second = await openSqliteDatabase({ path });
      await reader.destroy();
      await second.destroy();
      // Still ours: another process cannot take the write lock while the transaction is open.
      expect((await runTs(TRY_LOCK, [path])).stdout.trim()).toBe('busy');
    } finally {
      db.exec('ROLLBACK');
      await writer.destroy();
    }
  });
});
