import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from '../open/open-sqlite-database.js';
import { checkFileModes, ensurePrivateDirectory, hardenDatabaseFiles } from './permissions.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** The error a function throws; fails the test if it returns. */
async function thrown(fn: () => unknown): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('hardening never follows a link and never loosens a mode', () => {
  let dir: string;
  let home: string;
  let outside: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-links-'));
    home = join(dir, 'home');
    mkdirSync(home, { mode: 0o700 });
    // A file outside the home that an attacker (or a mistake) points a home entry at.
    outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'not yours', { mode: 0o644 });
    chmodSync(outside, 0o644);
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an operator 0500 home at 0500, and reports the tightening of a 0755 one', () => {
    chmodSync(home, 0o500);
    expect(ensurePrivateDirectory(home)).toEqual([]);
    expect(modeOf(home)).toBe(0o500);
    chmodSync(home, 0o755);
    expect(ensurePrivateDirectory(home, { dryRun: true })).toEqual([{ path: home, from: '755', to: '700' }]);
    expect(modeOf(home)).toBe(0o755);
    expect(ensurePrivateDirectory(home)).toEqual([{ path: home, from: '755', to: '700' }]);
    expect(modeOf(home)).toBe(0o700);
  });

  it('keeps a 0400 database at 0400 and tightens a 0640 -wal to 0600, reporting each change', () => {
    const path = join(home, 'gateway.db');
    writeFileSync(path, '');
    chmodSync(path, 0o400);
    writeFileSync(`${path}-wal`, '');
    chmodSync(`${path}-wal`, 0o640);
    expect(hardenDatabaseFiles(path)).toEqual([{ path: `${path}-wal`, from: '640', to: '600' }]);
    expect([modeOf(path), modeOf(`${path}-wal`)]).toEqual([0o400, 0o600]);
  });

  it('refuses a home subdirectory that is a symlink, leaving its target alone', async () => {
    const target = join(dir, 'elsewhere');
    mkdirSync(target, { mode: 0o755 });
    chmodSync(target, 0o755);
    const link = join(home, 'backups');
    symlinkSync(target, link);
    const error = await thrown(() => ensurePrivateDirectory(link));
    expect(error.code).toBe('symlink_refused');
    expect(error.message).toContain(link);
    expect(modeOf(target)).toBe(0o755);
  });

  it.each(['gateway.db', 'gateway.db-wal', 'gateway.db-shm'])('refuses to open a database whose %s is a symlink out of the home', async (name) => {
    const path = join(home, 'gateway.db');
    if (name !== 'gateway.db') {
      const ds = await openSqliteDatabase({ path });
      await ds.destroy();
    }
    symlinkSync(outside, join(home, name));
    const error = await thrown(() => openSqliteDatabase({ path }));
    expect(error.code).toBe('symlink_refused');
    expect(error.message).toContain(join(home, name));
    expect(modeOf(outside)).toBe(0o644);
    expect(readFileSync(outside, 'utf8')).toBe('not yours');
  });

  it('refuses a symlinked database for a read-only open too, and reports it in health', async () => {
    const path = join(home, 'gateway.db');
    symlinkSync(outside, path);
    expect((await thrown(() => openSqliteDatabase({ path, readonly: true }))).code).toBe('symlink_refused');
    expect((await thrown(() => hardenDatabaseFiles(path))).code).toBe('symlink_refused');
    expect(checkFileModes([{ path, expectedMode: 0o600 }])).toEqual([{ path, status: 'symlink', expectedMode: '600' }]);
    expect(modeOf(outside)).toBe(0o644);
  });
});
