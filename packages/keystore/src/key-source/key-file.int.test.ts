import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '../crypto/master-key.js';
import { openSqliteKeystore } from '../sqlite/open-sqlite-keystore.js';
import { createTempHome } from '../testing/temp-home.js';
import { createFileMasterKeySource } from './file-key-source.js';
import { inspectKeyFile, readKeyFile, writeKeyFile } from './key-file.js';

describe('key files on disk', () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ home, cleanup } = createTempHome('cairn-key-file-'));
    mkdirSync(home, { recursive: true, mode: 0o700 });
  });
  afterEach(() => cleanup());

  it('writes a key 0600 through a temp file, and an exclusive write never replaces an existing key', () => {
    const path = join(home, 'keystore.key');
    const first = MasterKey.generate();
    writeKeyFile(path, first, { exclusive: true });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(home)).toEqual(['keystore.key']);
    expect(() => writeKeyFile(path, MasterKey.generate(), { exclusive: true })).toThrow(/already exists/);
    expect(inspectKeyFile(path)).toEqual({ path, status: 'ok', keyId: first.id });
    expect(readdirSync(home)).toEqual(['keystore.key']);
  });

  it('names an empty key file as empty, and never generates a key over it', async () => {
    writeFileSync(join(home, 'keystore.key'), '', { mode: 0o600 });
    expect(readKeyFile(join(home, 'keystore.key'))).toEqual({ ok: false, reason: 'empty' });
    expect(inspectKeyFile(join(home, 'keystore.key'))).toEqual({ path: join(home, 'keystore.key'), status: 'empty' });
    await expect(openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) })).rejects.toMatchObject({
      code: 'master_key_invalid',
      message: expect.stringContaining('is empty (0 bytes)'),
    });
    expect(statSync(join(home, 'keystore.key')).size).toBe(0);
  });

  it('removes the temp file a killed key write left, at the next open', async () => {
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
    const leftover = `.keystore.key.${dead}-0123456789ab.cairn-tmp`;
    writeFileSync(join(home, leftover), 'cairn-keystore-key v1 partial', { mode: 0o600 });
    const keystore = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
    await keystore.close();
    expect(readdirSync(home)).not.toContain(leftover);
    expect(readKeyFile(join(home, 'keystore.key')).ok).toBe(true);
  });
});
