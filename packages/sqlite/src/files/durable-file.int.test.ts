import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTempFile, discardTempFile, writeFileDurably } from './durable-file.js';
import { listTempFiles, removeLeftoverTempFiles } from './temp-files.js';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/** A pid that is certainly not running: a child that has exited and been reaped. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('writeFileDurably', () => {
  let dir: string;
  let previousUmask: number;
  beforeEach(() => {
    previousUmask = process.umask(0o022);
    dir = mkdtempSync(join(tmpdir(), 'cairn-durable-'));
  });
  afterEach(() => {
    process.umask(previousUmask);
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file with the mode asked for, whatever the umask, and leaves no temp behind', () => {
    process.umask(0);
    writeFileDurably(join(dir, 'a.key'), 'secret-free bytes\n', { mode: 0o600, commit: 'create' });
    process.umask(0o077);
    writeFileDurably(join(dir, 'b.txt'), Buffer.from('b'), { mode: 0o640, commit: 'create' });
    expect(modeOf(join(dir, 'a.key'))).toBe(0o600);
    expect(modeOf(join(dir, 'b.txt'))).toBe(0o640);
    expect(readFileSync(join(dir, 'a.key'), 'utf8')).toBe('secret-free bytes\n');
    expect(readdirSync(dir).sort()).toEqual(['a.key', 'b.txt']);
  });

  it('create refuses an existing name (file_exists) and leaves it untouched', () => {
    const path = join(dir, 'a.key');
    writeFileDurably(path, 'first', { mode: 0o600, commit: 'create' });
    expect(() => writeFileDurably(path, 'second', { mode: 0o600, commit: 'create' })).toThrow(expect.objectContaining({ code: 'file_exists' }));
    expect(readFileSync(path, 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['a.key']);
  });

  it('create refuses a symlink at the name, even a dangling one, and never writes through it', () => {
    const outside = join(dir, 'outside.txt');
    symlinkSync(outside, join(dir, 'a.key'));
    expect(() => writeFileDurably(join(dir, 'a.key'), 'x', { mode: 0o600, commit: 'create' })).toThrow(expect.objectContaining({ code: 'file_exists' }));
    expect(readdirSync(dir)).toEqual(['a.key']);
  });

  it('replace swaps in the new bytes; a symlink at the name is replaced, its target is not written', () => {
    const path = join(dir, 'settings.toml');
    writeFileDurably(path, 'old', { mode: 0o600, commit: 'replace' });
    writeFileDurably(path, 'new', { mode: 0o600, commit: 'replace' });
    expect(readFileSync(path, 'utf8')).toBe('new');
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'theirs');
    rmSync(path);
    symlinkSync(outside, path);
    writeFileDurably(path, 'ours', { mode: 0o600, commit: 'replace' });
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readFileSync(outside, 'utf8')).toBe('theirs');
  });
});

describe('removeLeftoverTempFiles', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-temps-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('removes temps (and SQLite siblings) whose writer is gone, keeps live ones and every other file', () => {
    const gone = deadPid();
    const names = {
      deadTemp: `.keystore.key.${gone}-0123456789ab.cairn-tmp`,
      deadJournal: `.gateway-20250101T000000.000Z.db.${gone}-0123456789ab.cairn-tmp-journal`,
      liveOther: `.gateway.db.${process.ppid}-aaaaaaaaaaaa.cairn-tmp`,
      ownStale: `.keystore.key.${process.pid}-bbbbbbbbbbbb.cairn-tmp`,
      unrelated: 'keystore.key',
      lookalike: '.keystore.key.cairn-tmp',
    };
    for (const name of Object.values(names)) writeFileSync(join(dir, name), 'x');
    const own = createTempFile(join(dir, 'in-flight.key'), 0o600); // this process is writing it
    closeSync(own.fd);

    const listed = listTempFiles(dir);
    expect(listed.map((e) => [e.path.slice(dir.length + 1), e.leftover]).sort()).toEqual(
      [
        [names.deadJournal, true],
        [names.deadTemp, true],
        [names.liveOther, false],
        [names.ownStale, true], // same pid as ours (a restarted container), but not one we are writing
        [own.path.slice(dir.length + 1), false],
      ].sort(),
    );
    expect(listed.find((e) => e.sibling === '-journal')?.target).toBe(join(dir, 'gateway-20250101T000000.000Z.db'));

    const removed = removeLeftoverTempFiles(dir);
    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([names.deadJournal, names.deadTemp, names.ownStale].sort());
    expect(readdirSync(dir).sort()).toEqual([names.liveOther, names.lookalike, names.unrelated, own.path.slice(dir.length + 1)].sort());

    discardTempFile(own.path);
    expect(removeLeftoverTempFiles(dir)).toEqual([]);
  });

  it('answers nothing for a directory that does not exist', () => {
    expect(removeLeftoverTempFiles(join(dir, 'missing'))).toEqual([]);
  });
});
