import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { createPostgresKeystoreFixture, type PostgresKeystoreFixture } from '../testing/fixtures/postgres-keystore.js';
import { createTempHome } from '../testing/temp-home.js';
import { inspectPostgresKeystore } from './inspect-postgres-keystore.js';

describe('health and inspection of a PostgreSQL keystore (what cairn doctor reports)', () => {
  let fixture: PostgresKeystoreFixture;
  let home: string;
  let cleanupHome: () => void;
  const keySource = () => createFileMasterKeySource(home);
  beforeEach(async () => {
    ({ home, cleanup: cleanupHome } = createTempHome());
    fixture = await createPostgresKeystoreFixture();
  });
  afterEach(async () => {
    await fixture.cleanup();
    cleanupHome();
  });

  it('before the first open: the schema is absent, which is fine, and nothing is created', async () => {
    const report = await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() });
    expect(report).toMatchObject({ ok: true, schema: 'cairn_keystore', status: 'absent', keyId: null, secrets: 0, latestVersion: 2 });
    expect(report.connection).toMatchObject({ ok: true, writable: true });
    expect(report.key).toMatchObject({ kind: 'file', currentKeyId: null, matches: null });
    expect(await fixture.query("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'cairn_keystore'", [], 'public')).toEqual([]);
  });

  it('after use: current schema, the key id of keystore_meta, the secret count, the key source matching, integrity ok', async () => {
    const ks = await fixture.open({ home, keySource: keySource() });
    await ks.set('provider', 'openai', 'sk-inspected-0001');
    await ks.set('provider', 'anthropic', 'sk-inspected-0002');
    const report = await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() });
    expect(report).toMatchObject({ ok: true, status: 'current', version: 2, differences: [], keyId: ks.keyId, secrets: 2 });
    expect(report.integrity).toEqual({ ok: true, problems: [], amcheck: 'off' });
    expect(report.key).toMatchObject({ kind: 'file', currentKeyId: ks.keyId, stagedKeyId: null, matches: true });
    expect(report.keyFiles.map((f) => [f.path, f.status])).toEqual([
      [join(home, 'keystore.key'), 'ok'],
      [join(home, 'keystore.key.next'), 'missing'],
    ]);
    expect(JSON.stringify(report)).not.toContain('sk-inspected');
  });

  it('names what open would refuse: another key, a planted object, a loose key file', async () => {
    const ks = await fixture.open({ home, keySource: keySource() });
    const other = MasterKey.generate();
    const wrongKey = await inspectPostgresKeystore({ url: fixture.url, keySource: createStaticMasterKeySource(other, { kind: 'env' }) });
    expect(wrongKey).toMatchObject({ ok: false, keyId: ks.keyId, key: { kind: 'env', currentKeyId: other.id, matches: false } });
    await fixture.query('CREATE INDEX idx_planted ON keystore_secret (label)');
    const planted = await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() });
    expect(planted).toMatchObject({ ok: false, status: 'mismatch', differences: ['extra index idx_planted'] });
    await fixture.query('DROP INDEX idx_planted');
    chmodSync(join(home, 'keystore.key'), 0o644);
    const loose = await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() });
    expect(loose).toMatchObject({ ok: false, status: 'current' });
    expect(loose.keyFiles[0]).toMatchObject({ status: 'too_permissive' });
  });

  it('runs amcheck over the keystore indexes where the extension is installed (elsewhere), and never installs it', async () => {
    const ks = await fixture.open({ home, keySource: keySource() });
    await ks.set('provider', 'openai', 'sk-amchecked-0001');
    await fixture.query('CREATE EXTENSION amcheck SCHEMA public', [], 'public');
    const report = await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() });
    expect(report).toMatchObject({ ok: true, integrity: { ok: true, amcheck: 'ran' } });
    expect(await inspectPostgresKeystore({ url: fixture.url, keySource: keySource() })).toMatchObject({ status: 'current', differences: [] });
  });

  it('an unreachable server is a report, not a throw', async () => {
    const report = await inspectPostgresKeystore({ url: 'postgres://nobody@127.0.0.1:1/none', keySource: createStaticMasterKeySource(MasterKey.generate()) });
    expect(report).toMatchObject({ ok: false, status: 'unreadable', connection: { ok: false } });
  });

  it('health() of an open keystore: the server, the key in use and the key files', async () => {
    const ks = await fixture.open({ home, keySource: keySource() });
    const report = await ks.health();
    expect(report).toMatchObject({ ok: true, schema: 'cairn_keystore', keyId: ks.keyId, keySource: 'file', database: { ok: true, writable: true, schema: 'cairn_keystore' } });
    chmodSync(join(home, 'keystore.key'), 0o640);
    expect((await ks.health()).ok).toBe(false);
    await ks.close();
    expect((await ks.health()).database.ok).toBe(false);
  });
});
