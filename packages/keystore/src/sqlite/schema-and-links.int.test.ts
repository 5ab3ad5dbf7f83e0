import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, renameSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModeChange } from '@cairn/sqlite';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { withRawKeystoreDb } from '../testing/raw-database.js';
import { createTempHome } from '../testing/temp-home.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';
import { errorOf } from '../testing/fixtures/error-of.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('openSqliteKeystore refuses what it must not trust', () => {
  let home: string;
  let cleanup: () => void;
  beforeEach(async () => {
    ({ home, cleanup } = createTempHome());
    const first = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
    await first.set('provider', 'openai', 'sk-schema-check-123456');
    await first.close();
  });
  afterEach(() => cleanup());

  it('refuses a keystore.db whose schema is not what its migrations made, naming the difference', async () => {
    await withRawKeystoreDb(home, (query) => query('CREATE INDEX idx_keystore_secret_label ON keystore_secret (label)'));
    const error = await errorOf(openSqliteKeystore({ home }));
    expect(error.code).toBe('integrity_failed');
    expect(error.message).toContain('extra index idx_keystore_secret_label');
    expect(error.message).not.toContain('sk-schema-check-123456');
  });

  it('refuses a keystore.key that is a symlink out of the home, and leaves its target alone', async () => {
    const keyPath = join(home, 'keystore.key');
    const outside = join(dirname(home), 'elsewhere.key');
    renameSync(keyPath, outside);
    chmodSync(outside, 0o644);
    const bytes = readFileSync(outside);
    symlinkSync(outside, keyPath);
    const error = await errorOf(openSqliteKeystore({ home }));
    expect(error.message).toContain(`${keyPath} is a symbolic link`);
    expect(error.details).toMatchObject({ path: keyPath });
    expect(modeOf(outside)).toBe(0o644);
    expect(readFileSync(outside).equals(bytes)).toBe(true);
  });

  it('tightens a 0640 key file and a 0750 home, never loosens a 0400 database, and reports each change', async () => {
    chmodSync(join(home, 'keystore.key'), 0o640);
    chmodSync(home, 0o750);
    chmodSync(join(home, 'keystore.db'), 0o400);
    const changes: ModeChange[] = [];
    const ks = await openSqliteKeystore({ home, onModeChange: (change) => changes.push(change) });
    try {
      expect(changes).toEqual([
        { path: home, from: '750', to: '700' },
        { path: join(home, 'keystore.key'), from: '640', to: '600' },
      ]);
      expect(modeOf(join(home, 'keystore.db'))).toBe(0o400);
    } finally {
      await ks.close();
    }
  });
});
