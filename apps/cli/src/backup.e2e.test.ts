import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';

const main = join(import.meta.dirname, 'main.ts');
let root: string;

afterEach(() => rmSync(root, { recursive: true, force: true }));

const backupWith = (home: string) => runTs(main, ['backup'], { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '' } });

describe('cairn backup on a home it cannot back up', () => {
  it('exits 1 with one clear line for a home that is a regular file, a missing directory or an empty one', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-backup-'));
    const file = join(root, 'cairn-home');
    writeFileSync(file, 'not a directory');
    const empty = join(root, 'empty');
    mkdirSync(empty);
    const cases = [
      { home: file, says: 'is not a directory' },
      { home: join(root, 'mistyped'), says: 'does not exist' },
      { home: empty, says: 'holds no gateway.db or keystore.db' },
    ];
    for (const { home, says } of cases) {
      const result = await backupWith(home);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(new RegExp(`^cairn: invalid_params: runtime home ${home} ${says}`))]);
    }
    expect(readdirSync(empty)).toEqual([]);
  });
});

const doctorWith = (home: string) => runTs(main, ['doctor'], { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '', CAIRN_MASTER_KEY: '' } });
const migrateWith = (home: string) => runTs(main, ['migrate'], { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '' } });

describe('cairn doctor on the files a start or a backup writes', () => {
  it('names an empty keystore.key as the problem, and exits 1', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-doctor-'));
    const home = join(root, 'home');
    expect((await migrateWith(home)).code).toBe(0);
    writeFileSync(join(home, 'keystore.key'), '', { mode: 0o600 });
    const doctor = await doctorWith(home);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(new RegExp(`PROBLEM +${join(home, 'keystore.key')}: is empty \\(0 bytes\\)`));
  });

  it('lists backups/ and flags an incomplete backup, a journal beside one and one failing quick_check', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-cli-doctor-'));
    const home = join(root, 'home');
    expect((await migrateWith(home)).code).toBe(0);
    const backup = await runTs(main, ['backup', '--json'], { env: { CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'silent', CAIRN_LISTEN: '' } });
    const [good] = JSON.parse(backup.stdout) as Array<{ path: string }>;
    const clean = await doctorWith(home);
    expect(clean.stdout).toContain(`${good!.path}: backup passes quick_check`);
    expect(clean.code).toBe(0);

    const dir = join(home, 'backups');
    const gone = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    writeFileSync(join(dir, `.gateway-20250101T000000.000Z.db.${gone}-0123456789ab.cairn-tmp`), 'half a copy');
    writeFileSync(join(dir, 'gateway-20250102T000000.000Z.db'), Buffer.alloc(8192, 0x41));
    writeFileSync(join(dir, `${good!.path.slice(dir.length + 1)}-journal`), Buffer.alloc(4096, 0x42));
    const flagged = await doctorWith(home);
    expect(flagged.code).toBe(1);
    expect(flagged.stdout).toMatch(/PROBLEM +\S+\.cairn-tmp: an incomplete backup, not a backup/);
    expect(flagged.stdout).toMatch(/PROBLEM +\S+gateway-20250102T000000\.000Z\.db: backup fails quick_check/);
    expect(flagged.stdout).toMatch(/PROBLEM +\S+\.db-journal: journal beside backup/);
  });
});
