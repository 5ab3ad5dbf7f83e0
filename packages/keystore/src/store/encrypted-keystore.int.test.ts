import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MasterKey } from '../crypto/master-key.js';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { formatKeyFile, readKeyFile } from '../key-source/key-file.js';
import { createStaticMasterKeySource } from '../key-source/static-key-source.js';
import { KEYSTORE_BACKENDS, type BackendSubject } from '../testing/fixtures/keystore-backends.js';
import type { EncryptedKeystore } from './encrypted-keystore.js';
import { errorOf } from '../testing/fixtures/error-of.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

// What SQLite and PostgreSQL keystores share (EncryptedKeystore): the key check at open, tampering
// detected, rotation and its interruptions, a second instance following. Once per backend.
describe.each(KEYSTORE_BACKENDS)('the encrypted keystore on $name', (backend) => {
  let subject: BackendSubject;
  let home: string;
  const openKs = (keySource = createFileMasterKeySource(home)) => subject.open({ keySource });
  /** Raw `?` SQL on the keystore's tables, behind its back. */
  const withRaw = <T>(work: (q: BackendSubject['query']) => Promise<T>): Promise<T> => work((sql, params) => subject.query(sql, params));
  beforeEach(async () => {
    subject = await backend.create();
    home = subject.home;
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  describe('a wrong master key', () => {
    it('is refused at open with master_key_invalid naming both fingerprints, never the key', async () => {
      const right = MasterKey.generate();
      const wrong = MasterKey.generate();
      const ks = await openKs(createStaticMasterKeySource(right));
      await ks.set('provider', 'openai', 'sk-guarded-123456');
      await ks.close();
      const error = await errorOf(openKs(createStaticMasterKeySource(wrong, { description: 'CAIRN_MASTER_KEY' })));
      expect(error.code).toBe('master_key_invalid');
      expect(error.details).toMatchObject({ expectedKeyId: right.id, providedKeyId: wrong.id, source: 'CAIRN_MASTER_KEY' });
      expect(error.message).toContain(right.id);
      expect(error.message).toContain(wrong.id);
      for (const k of [right, wrong]) expect(JSON.stringify({ m: error.message, d: error.details })).not.toContain(k.toBase64());
      const reopened = await openKs(createStaticMasterKeySource(right));
      expect(await reopened.get('provider', 'openai')).toBe('sk-guarded-123456');
    });

    it('in the key file is refused too, and the key file is left alone', async () => {
      const ks = await openKs();
      await ks.set('provider', 'openai', 'sk-guarded-123456');
      await ks.close();
      const other = MasterKey.generate();
      writeFileSync(join(home, 'keystore.key'), formatKeyFile(other), { mode: 0o600 });
      expect((await errorOf(openKs())).code).toBe('master_key_invalid');
      expect(readKeyFile(join(home, 'keystore.key'))).toMatchObject({ ok: true, key: { id: other.id } });
    });

    it('a missing key file with existing secrets is an error, never a fresh key', async () => {
      const ks = await openKs();
      await ks.set('provider', 'openai', 'sk-guarded-123456');
      await ks.close();
      unlinkSync(join(home, 'keystore.key'));
      const error = await errorOf(openKs());
      expect(error.code).toBe('master_key_invalid');
      expect(error.message).toContain('no key');
      expect(existsSync(join(home, 'keystore.key'))).toBe(false);
    });

    it('a malformed key file is an error and is never overwritten', async () => {
      const ks = await openKs();
      await ks.close();
      writeFileSync(join(home, 'keystore.key'), 'cairn-keystore-key v1 not-base64\n');
      const error = await errorOf(openKs());
      expect(error.code).toBe('master_key_invalid');
      expect(error.message).not.toContain('not-base64');
      expect(readFileSync(join(home, 'keystore.key'), 'utf8')).toBe('cairn-keystore-key v1 not-base64\n');
    });

    it('an edited key id or canary in keystore_meta is detected at open', async () => {
      const ks = await openKs();
      await ks.close();
      await withRaw((q) => q('UPDATE keystore_meta SET canary_tag = ?', [Buffer.alloc(16)]));
      expect((await errorOf(openKs())).message).toContain('canary');
      await withRaw((q) => q("UPDATE keystore_meta SET key_id = '0123456789abcdef'"));
      expect((await errorOf(openKs())).code).toBe('master_key_invalid');
    });
  });

  describe('stored ciphertexts', () => {
    let ks: EncryptedKeystore;
    beforeEach(async () => {
      ks = await openKs();
      await ks.set('provider', 'openai', 'sk-openai-value-0001');
      await ks.set('provider', 'anthropic', 'sk-anthropic-value-0002');
      await ks.set('mcp', 'openai', 'mcp-openai-value-0003');
    });

    it.each(['ciphertext', 'tag', 'nonce'])('detect a tampered %s, leaving other entries readable', async (column) => {
      await withRaw(async (q) => {
        const [row] = (await q(`SELECT ${column} AS b FROM keystore_secret WHERE service = 'provider' AND id = 'openai'`)) as Array<{ b: Buffer }>;
        const tampered = Buffer.from(row!.b);
        tampered[tampered.length - 1]! ^= 0x80;
        await q(`UPDATE keystore_secret SET ${column} = ? WHERE service = 'provider' AND id = 'openai'`, [tampered]);
      });
      const error = await errorOf(ks.get('provider', 'openai'));
      expect(error.code).toBe('decryption_failed');
      expect(error.details).toMatchObject({ service: 'provider', id: 'openai' });
      expect(await ks.get('provider', 'anthropic')).toBe('sk-anthropic-value-0002');
    });

    it.each([
      ['to another id', 'provider', 'anthropic'],
      ['to another service', 'mcp', 'openai'],
    ])('detect a ciphertext swapped %s', async (_name, service, id) => {
      await withRaw((q) =>
        q(
          `UPDATE keystore_secret SET (nonce, ciphertext, tag) = (SELECT nonce, ciphertext, tag FROM keystore_secret WHERE service = 'provider' AND id = 'openai')
           WHERE service = ? AND id = ?`,
          [service, id],
        ),
      );
      expect((await errorOf(ks.get(service, id))).code).toBe('decryption_failed');
      expect(await ks.get('provider', 'openai')).toBe('sk-openai-value-0001');
    });

    it('detect a row whose key id was rewritten', async () => {
      await withRaw((q) => q("UPDATE keystore_secret SET key_id = 'ffffffffffffffff' WHERE id = 'anthropic'"));
      const error = await errorOf(ks.get('provider', 'anthropic'));
      expect(error.code).toBe('decryption_failed');
      expect(error.message).toContain('ffffffffffffffff');
    });
  });

  describe('rotateMasterKey', () => {
    const values = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`id-${i}`, `value-${i}-${'x'.repeat(i)}`]));

    it('re-encrypts every entry under a new key, and the key file names it', async () => {
      const ks = await openKs();
      for (const [id, value] of Object.entries(values)) await ks.set('provider', id, value);
      const before = await ks.list();
      const oldKey = (readKeyFile(join(home, 'keystore.key')) as { key: MasterKey }).key;
      const result = await ks.rotateMasterKey();
      expect(result).toEqual({ previousKeyId: oldKey.id, keyId: ks.keyId, reencrypted: 25 });
      expect(ks.keyId).not.toBe(oldKey.id);
      expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
      expect(mode(join(home, 'keystore.key'))).toBe('600');
      const newKey = (readKeyFile(join(home, 'keystore.key')) as { key: MasterKey }).key;
      expect(newKey.id).toBe(ks.keyId);
      expect(await ks.list()).toEqual(before);
      for (const [id, value] of Object.entries(values)) expect(await ks.get('provider', id)).toBe(value);
      const rows = await withRaw((q) => q('SELECT DISTINCT key_id FROM keystore_secret'));
      expect(rows).toEqual([{ key_id: newKey.id }]);
      await ks.close();
      expect((await errorOf(openKs(createStaticMasterKeySource(oldKey)))).code).toBe('master_key_invalid');
      const reopened = await openKs(createStaticMasterKeySource(newKey));
      for (const [id, value] of Object.entries(values)) expect(await reopened.get('provider', id)).toBe(value);
    });

    it('aborts on an entry that fails authentication, changing nothing', async () => {
      const ks = await openKs();
      for (const [id, value] of Object.entries(values)) await ks.set('provider', id, value);
      const keyId = ks.keyId;
      const keyFile = readFileSync(join(home, 'keystore.key'), 'utf8');
      await withRaw((q) => q("UPDATE keystore_secret SET tag = ? WHERE id = 'id-7'", [Buffer.alloc(16)]));
      expect((await errorOf(ks.rotateMasterKey())).code).toBe('decryption_failed');
      expect(ks.keyId).toBe(keyId);
      expect(readFileSync(join(home, 'keystore.key'), 'utf8')).toBe(keyFile);
      expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
      expect(await ks.get('provider', 'id-3')).toBe(values['id-3']);
    });

    it('with an outside key (CAIRN_MASTER_KEY) needs the new key given, and then wants it on the next start', async () => {
      const first = MasterKey.generate();
      const second = MasterKey.generate();
      const ks = await openKs(createStaticMasterKeySource(first, { kind: 'env', description: 'CAIRN_MASTER_KEY' }));
      await ks.set('provider', 'openai', 'sk-env-rotated-0001');
      expect((await errorOf(ks.rotateMasterKey())).code).toBe('invalid_params');
      await ks.rotateMasterKey({ newKey: second });
      expect(await ks.get('provider', 'openai')).toBe('sk-env-rotated-0001');
      await ks.close();
      const error = await errorOf(openKs(createStaticMasterKeySource(first)));
      expect(error.details).toMatchObject({ expectedKeyId: second.id, providedKeyId: first.id });
      expect(await (await openKs(createStaticMasterKeySource(second))).get('provider', 'openai')).toBe('sk-env-rotated-0001');
    });

    it('refuses to "rotate" to the current key', async () => {
      const key = MasterKey.generate();
      const ks = await openKs(createStaticMasterKeySource(key));
      expect((await errorOf(ks.rotateMasterKey({ newKey: key }))).code).toBe('invalid_params');
    });
  });

  describe('an interrupted rotation is settled at the next open', () => {
    it('staged but never committed: the staged key is discarded', async () => {
      const ks = await openKs();
      await ks.set('provider', 'openai', 'sk-staged-only-0001');
      const keyId = ks.keyId;
      await ks.close();
      writeFileSync(join(home, 'keystore.key.next'), formatKeyFile(MasterKey.generate()), { mode: 0o600 });
      const reopened = await openKs();
      expect(reopened.keyId).toBe(keyId);
      expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
      expect(await reopened.get('provider', 'openai')).toBe('sk-staged-only-0001');
    });

    it('a torn staged file is discarded', async () => {
      const ks = await openKs();
      await ks.set('provider', 'openai', 'sk-torn-next-0001');
      await ks.close();
      writeFileSync(join(home, 'keystore.key.next'), 'cairn-keystore-key v1 AAAA', { mode: 0o600 });
      const reopened = await openKs();
      expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
      expect(await reopened.get('provider', 'openai')).toBe('sk-torn-next-0001');
    });

    it('committed but not promoted: the staged key is promoted', async () => {
      const source = createFileMasterKeySource(home);
      const crashing = {
        ...source,
        promote: () => {
          throw new Error('simulated crash between COMMIT and rename');
        },
      };
      const ks = await openKs(crashing);
      await ks.set('provider', 'openai', 'sk-committed-0001');
      const oldId = ks.keyId;
      await errorOf(ks.rotateMasterKey());
      await ks.close();
      const staged = readKeyFile(join(home, 'keystore.key.next'));
      expect(staged.ok).toBe(true);
      expect((readKeyFile(join(home, 'keystore.key')) as { key: MasterKey }).key.id).toBe(oldId);
      const reopened = await openKs();
      expect(reopened.keyId).toBe((staged as { key: MasterKey }).key.id);
      expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
      expect((readKeyFile(join(home, 'keystore.key')) as { key: MasterKey }).key.id).toBe(reopened.keyId);
      expect(await reopened.get('provider', 'openai')).toBe('sk-committed-0001');
    });
  });

  it('a second instance follows a rotation made by the first', async () => {
    const a = await openKs();
    const b = await openKs();
    await a.set('provider', 'openai', 'sk-shared-0001');
    expect(await b.get('provider', 'openai')).toBe('sk-shared-0001');
    await a.rotateMasterKey();
    expect(await b.get('provider', 'openai')).toBe('sk-shared-0001');
    expect(b.keyId).toBe(a.keyId);
    await a.rotateMasterKey();
    await b.set('provider', 'second', 'sk-written-by-b-0002');
    const rows = await withRaw((q) => q('SELECT DISTINCT key_id FROM keystore_secret'));
    expect(rows).toEqual([{ key_id: a.keyId }]);
    expect(await a.get('provider', 'second')).toBe('sk-written-by-b-0002');
  });

});
