import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatSecretRef } from '@cairn/protocol';
import { openSqliteDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { createSecretRedactor } from '../redact/secret-redactor.js';
import { createSecretResolver } from '../refs/secret-resolver.js';
import { withRawKeystoreDb } from '../testing/raw-database.js';
import { listFiles, scanForBytes, scanForValues } from '../testing/scan-home.js';
import { createTempHome } from '../testing/temp-home.js';
import { openSqliteKeystore } from './open-sqlite-keystore.js';
import type { SqliteKeystore } from './sqlite-keystore.js';
import { freshValue, storeValuesThroughRotation } from '../testing/fixtures/values-through-rotation.js';

describe('secret values at rest', () => {
  let home: string;
  let cleanup: () => void;
  let ks: SqliteKeystore;
  let gateway: DataSource;
  beforeEach(async () => {
    ({ home, cleanup } = createTempHome('cairn-at-rest-'));
    ks = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
    gateway = await openSqliteDatabase({ path: join(home, 'gateway.db') });
    await gateway.query('CREATE TABLE provider_config (provider_id TEXT PRIMARY KEY, api_key_ref TEXT NOT NULL)');
  });
  afterEach(async () => {
    if (gateway.isInitialized) await gateway.destroy();
    await ks.close();
    cleanup();
  });

  it('appear in no file of the runtime home except as ciphertext, through set, update, delete and rotation', async () => {
    // Every value ever stored, including replaced and deleted ones.
    const everStored: Array<{ label: string; value: string }> = [];
    const set = async (service: string, id: string, value: string) => {
      everStored.push({ label: `${service}/${id}@${everStored.length}`, value });
      await ks.set(service, id, value, { label: `label of ${id}` });
      await gateway.query('INSERT OR REPLACE INTO provider_config VALUES (?, ?)', [`${service}:${id}`, formatSecretRef(service, id)]);
    };
    const redactor = await createSecretRedactor(ks);
    const log = join(home, 'logs', 'gateway.log');
    mkdirSync(join(home, 'logs'), { recursive: true });

    await storeValuesThroughRotation(ks, set);

    // Exercise the read side the way the gateway does: resolve refs, log what it did through the redactor.
    const resolver = createSecretResolver(ks);
    const refs = (await gateway.query('SELECT api_key_ref FROM provider_config')) as Array<{ api_key_ref: string }>;
    for (const { api_key_ref } of refs) {
      const value = await resolver.resolveOptional(api_key_ref);
      appendFileSync(log, redactor.redact(`resolved ${api_key_ref} -> ${value ?? '<deleted>'} ${JSON.stringify({ value })}\n`));
    }
    writeFileSync(join(home, 'gateway-settings.toml'), `[provider.openai]\napi_key = "${formatSecretRef('provider', 'key-0')}"\n`);
    expect(await ks.list()).toHaveLength(20);

    // While open: keystore.db-wal and gateway.db-wal hold the recent writes.
    const names = listFiles(home).map((f) => f.slice(home.length + 1)).sort();
    expect(names).toEqual(
      expect.arrayContaining(['gateway.db', 'gateway.db-wal', 'keystore.db', 'keystore.db-wal', 'keystore.key', 'logs/gateway.log', 'gateway-settings.toml']),
    );
    expect(scanForValues(home, everStored)).toEqual([]);
    // The scanner does see what is there: the refs are in gateway.db's WAL (positive control).
    expect(scanForValues(home, [{ label: 'ref', value: formatSecretRef('provider', 'key-1') }]).map((f) => f.file)).toContain(join(home, 'gateway.db-wal'));

    await gateway.destroy();
    await ks.close();
    expect(scanForValues(home, everStored)).toEqual([]);
  });

  it('leave no old ciphertext in keystore.db after an update or a delete (secure_delete)', async () => {
    await ks.set('provider', 'updated', freshValue('sk-first'));
    await ks.set('provider', 'deleted', freshValue('sk-doomed'));
    await ks.set('provider', 'kept', freshValue('sk-kept'));
    const ciphertexts = async () =>
      withRawKeystoreDb(home, (q) => q('SELECT service, id, ciphertext FROM keystore_secret') as Promise<Array<{ id: string; ciphertext: Buffer }>>);
    const before = await ciphertexts();
    await ks.set('provider', 'updated', freshValue('sk-second'));
    await ks.delete('provider', 'deleted');
    const after = await ciphertexts();
    await gateway.destroy();
    await ks.close();
    expect(existsSync(join(home, 'keystore.db-wal'))).toBe(false);
    const gone = before.filter((r) => r.id !== 'kept').map((r) => ({ label: r.id, bytes: r.ciphertext }));
    expect(scanForBytes(join(home, 'keystore.db'), gone)).toEqual([]);
    // Control: the live ciphertexts are found.
    expect(scanForBytes(join(home, 'keystore.db'), after.map((r) => ({ label: r.id, bytes: r.ciphertext })))).toEqual(['updated', 'kept']);
  });

  it('the scanner finds a value written in clear (it is not vacuous)', () => {
    const value = freshValue('sk-planted');
    writeFileSync(join(home, 'leak.txt'), `x ${Buffer.from(value).toString('base64')} y`);
    expect(scanForValues(home, [{ label: 'planted', value }])).toContainEqual({ file: join(home, 'leak.txt'), label: 'planted', encoding: 'base64' });
  });
});

describe('the redactor on a SqliteKeystore', () => {
  it('skips an entry that fails authentication instead of failing to start', async () => {
    const { home, cleanup } = createTempHome('cairn-redactor-');
    const ks = await openSqliteKeystore({ home, keySource: createFileMasterKeySource(home) });
    try {
      await ks.set('provider', 'good', 'sk-good-value-0001');
      await ks.set('provider', 'bad', 'sk-bad-value-0002');
      await withRawKeystoreDb(home, (q) => q("UPDATE keystore_secret SET tag = zeroblob(16) WHERE id = 'bad'"));
      const redactor = await createSecretRedactor(ks);
      expect(redactor.redact('sk-good-value-0001 sk-bad-value-0002')).toBe('[REDACTED] sk-bad-value-0002');
      redactor.close();
    } finally {
      await ks.close();
      cleanup();
    }
  });
});
