import { afterEach, describe, expect, it } from '@jest/globals';
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
