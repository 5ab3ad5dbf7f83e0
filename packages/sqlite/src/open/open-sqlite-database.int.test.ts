import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnSync, type SpawnOptions } from 'node:child_process';
import { spawnTsWith } from '@cairn/tooling/child';
import { nativeHandle } from './native.js';
import { openSqliteDatabase, readPragmas } from './open-sqlite-database.js';

const OPEN_FIXTURE = join(import.meta.dirname, '../testing/fixtures/open-database.ts');

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
    // Root ignores directory permissions, so the open runs in a child that cannot: see unprivileged().
    const child = unprivileged();
    const roDir = join(dir, 'ro');
    mkdirSync(roDir);
    const path = join(roDir, 'legacy.db');
    createRollbackJournalDatabase(path);
    chownSync(dir, child.uid, child.gid);
    chownSync(path, child.uid, child.gid);
    chmodSync(roDir, 0o555);
    try {
      const result = await runChild(child, OPEN_FIXTURE, [path]);
      expect(result.stderr).toBe('');
      const answer = JSON.parse(result.stdout.trim()) as { ok: boolean; code?: string; message?: string };
      expect(answer).toMatchObject({ ok: false, code: 'wal_unavailable' });
      expect(answer.message).toContain(path);
    } finally {
      chmodSync(roDir, 0o755);
    }
  });
});

/**
 * How to start a child for which directory permissions hold, wherever the checkout lives
 * (a 0700 clone under root's home, a `mktemp -d`): the child runs as the checkout's owner,
 * who can read its own node_modules. When that owner is root, the child keeps uid 0 but
 * loses the capabilities that override permissions (setpriv, util-linux). Never a third uid
 * such as nobody, which cannot read a private checkout.
 */
interface Unprivileged {
  uid: number;
  gid: number;
  /** Put in front of node (setpriv), or nothing. */
  prefix: string[];
  options: SpawnOptions;
}

function unprivileged(): Unprivileged {
  const uid = process.getuid?.() ?? 0;
  if (uid !== 0) return { uid, gid: process.getgid?.() ?? 0, prefix: [], options: {} };
  const owner = statSync(import.meta.dirname);
  if (owner.uid !== 0) return { uid: owner.uid, gid: owner.gid, prefix: [], options: { uid: owner.uid, gid: owner.gid } };
  const setpriv = spawnSync('setpriv', ['--version']);
  if (setpriv.error) throw new Error(`as root on a root-owned checkout this test needs setpriv (util-linux) to drop CAP_DAC_OVERRIDE: ${setpriv.error.message}`);
  return { uid: 0, gid: 0, prefix: ['setpriv', '--bounding-set=-dac_override,-dac_read_search,-fowner', '--inh-caps=-all', '--'], options: {} };
}

function runChild(child: Unprivileged, script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawnTsWith(child.prefix, script, args, { ...child.options, timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    proc.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

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
