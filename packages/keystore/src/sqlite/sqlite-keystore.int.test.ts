import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { createTempHome } from '../testing/temp-home.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';
import type { SqliteKeystore } from './sqlite-keystore.js';

// keystore.db's own: files and modes, health. What SQLite shares with PostgreSQL (wrong keys,
// tampering, rotation) is store/encrypted-keystore.int.test.ts, run on both.
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('SqliteKeystore on disk', () => {
  let home: string;
  let cleanup: () => void;
  const open: SqliteKeystore[] = [];
  const openKs = async (keySource = createFileMasterKeySource(home)) => {
    const ks = await openSqliteKeystore({ home, keySource });
    open.push(ks);
    return ks;
  };
  beforeEach(() => {
    ({ home, cleanup } = createTempHome());
  });
  afterEach(async () => {
    for (const ks of open.splice(0)) await ks.close();
    cleanup();
  });

  it('creates a private home, a 0600 database and a 0600 key file in the documented format, and persists', async () => {
    const ks = await openKs();
    await ks.set('provider', 'openai', 'sk-persist-me-123456', { kind: 'provider_api_key' });
    expect(mode(home)).toBe('700');
    expect(mode(join(home, 'keystore.db'))).toBe('600');
    expect(mode(join(home, 'keystore.key'))).toBe('600');
    expect(readFileSync(join(home, 'keystore.key'), 'utf8')).toMatch(/^cairn-keystore-key v1 [A-Za-z0-9+/]{43}=\n$/);
    const keyId = ks.keyId;
    await ks.close();
    const again = await openKs();
    expect(again.keyId).toBe(keyId);
    expect(await again.get('provider', 'openai')).toBe('sk-persist-me-123456');
    expect((await again.list())[0]).toMatchObject({ kind: 'provider_api_key', version: 1 });
  });

  describe('health', () => {
    it('reports ok, then too_permissive files, and open hardens them back', async () => {
      const ks = await openKs();
      await ks.set('provider', 'openai', 'sk-health-0001');
      const report = ks.health();
      expect(report.ok).toBe(true);
      expect(report.keySource).toBe('file');
      const byName = (r: typeof report) => Object.fromEntries(r.files.map((f) => [f.path.slice(home.length) || '<home>', f.status]));
      expect(byName(report)).toEqual({
        '<home>': 'ok',
        '/keystore.db': 'ok',
        '/keystore.db-wal': 'ok',
        '/keystore.db-shm': 'ok',
        '/keystore.key': 'ok',
        '/keystore.key.next': 'missing',
      });
      chmodSync(join(home, 'keystore.key'), 0o644);
      chmodSync(join(home, 'keystore.db'), 0o640);
      chmodSync(home, 0o755);
      const loose = ks.health();
      expect(loose.ok).toBe(false);
      expect(byName(loose)).toMatchObject({ '<home>': 'too_permissive', '/keystore.db': 'too_permissive', '/keystore.key': 'too_permissive' });
      await ks.close();
      const reopened = await openKs();
      expect(reopened.health().ok).toBe(true);
      expect(mode(join(home, 'keystore.key'))).toBe('600');
    });

    it('does not require a key file when the key comes from outside', async () => {
      const ks = await openKs(createStaticMasterKeySource(MasterKey.generate(), { kind: 'env' }));
      const report = ks.health();
      expect(report).toMatchObject({ ok: true, keySource: 'env' });
      expect(report.files.map((f) => f.path)).not.toContain(join(home, 'keystore.key'));
    });
  });
});
