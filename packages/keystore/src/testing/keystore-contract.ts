import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Keystore, KeystoreChange } from '../keystore.js';
import { errorOf } from './fixtures/error-of.js';
import { createManualClock } from './temp-home.js';

/** A fresh, empty keystore for one test, and how to dispose of it afterwards. */
export interface KeystoreContractSubject {
  keystore: Keystore;
  cleanup: () => Promise<void>;
}

/**
 * Makes a subject per test. The keystore must take its time from `now` (the suite moves the
 * clock by hand to check `createdAt`/`updatedAt`).
 */
export type KeystoreContractFactory = (options: { now: () => Date }) => Promise<KeystoreContractSubject>;

/** An error's code, or 'no error'. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
}

const VALUE = 'sk-contract-0123456789abcdef';

/**
 * The behaviour every `Keystore` shares, as a Jest suite. Run against `MemoryKeystore`,
 * `SqliteKeystore` and `PostgresKeystore`, and against any other implementation (a keystore
 * over a cloud KMS): it passes only if it is indistinguishable through the interface.
 */
export function describeKeystoreContract(name: string, factory: KeystoreContractFactory): void {
  describe(`Keystore contract: ${name}`, () => {
    let subject: KeystoreContractSubject;
    let ks: Keystore;
    let clock: ReturnType<typeof createManualClock>;
    beforeEach(async () => {
      clock = createManualClock();
      subject = await factory({ now: clock.now });
      ks = subject.keystore;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    it('stores and returns a value, with fresh metadata', async () => {
      const info = await ks.set('provider', 'openai', VALUE, { kind: 'provider_api_key', label: 'OpenAI prod' });
      expect(info).toEqual({
        ref: 'secret://provider/openai',
        service: 'provider',
        id: 'openai',
        kind: 'provider_api_key',
        label: 'OpenAI prod',
        version: 1,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      expect(await ks.get('provider', 'openai')).toBe(VALUE);
      expect(await ks.exists('provider', 'openai')).toBe(true);
    });

    it('defaults kind to generic and label to null', async () => {
      const info = await ks.set('mcp', 'github token', VALUE);
      expect(info).toMatchObject({ kind: 'generic', label: null, version: 1, ref: 'secret://mcp/github%20token' });
    });

    it('an update bumps the version, keeps createdAt, kind and label unless given, and null clears the label', async () => {
      await ks.set('provider', 'openai', VALUE, { kind: 'provider_api_key', label: 'first' });
      clock.advance(1000);
      const second = await ks.set('provider', 'openai', 'sk-second-value-xyz');
      expect(second).toMatchObject({ version: 2, kind: 'provider_api_key', label: 'first', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:01.000Z' });
      const third = await ks.set('provider', 'openai', 'sk-third-value-xyz', { label: null, kind: 'generic' });
      expect(third).toMatchObject({ version: 3, kind: 'generic', label: null });
      expect(await ks.get('provider', 'openai')).toBe('sk-third-value-xyz');
      expect(await ks.list()).toEqual([third]);
    });

    it('answers undefined/false for a missing entry', async () => {
      expect(await ks.get('provider', 'nope')).toBeUndefined();
      expect(await ks.exists('provider', 'nope')).toBe(false);
      expect(await ks.delete('provider', 'nope')).toBe(false);
    });

    it('deletes, idempotently', async () => {
      await ks.set('provider', 'openai', VALUE);
      expect(await ks.delete('provider', 'openai')).toBe(true);
      expect(await ks.get('provider', 'openai')).toBeUndefined();
      expect(await ks.exists('provider', 'openai')).toBe(false);
      expect(await ks.delete('provider', 'openai')).toBe(false);
      expect(await ks.list()).toEqual([]);
      const again = await ks.set('provider', 'openai', VALUE);
      expect(again.version).toBe(1);
    });

    it('keeps services apart', async () => {
      await ks.set('provider', 'shared', 'value-for-provider');
      await ks.set('mcp', 'shared', 'value-for-mcp-server');
      expect(await ks.get('provider', 'shared')).toBe('value-for-provider');
      expect(await ks.get('mcp', 'shared')).toBe('value-for-mcp-server');
      await ks.delete('mcp', 'shared');
      expect(await ks.get('provider', 'shared')).toBe('value-for-provider');
    });

    it('lists metadata only, ordered by service then id, optionally for one service', async () => {
      await ks.set('provider', 'b', 'value-b-123456');
      await ks.set('mcp', 'z', 'value-z-123456');
      await ks.set('provider', 'a', 'value-a-123456');
      await ks.set('provider', 'B', 'value-B-123456');
      const all = await ks.list();
      expect(all.map((i) => `${i.service}/${i.id}`)).toEqual(['mcp/z', 'provider/B', 'provider/a', 'provider/b']);
      expect((await ks.list({ service: 'provider' })).map((i) => i.id)).toEqual(['B', 'a', 'b']);
      expect(await ks.list({ service: 'nothing' })).toEqual([]);
      const json = JSON.stringify(all);
      for (const v of ['value-b-123456', 'value-z-123456', 'value-a-123456']) expect(json).not.toContain(v);
      for (const info of all) expect(Object.keys(info).sort()).toEqual(['createdAt', 'id', 'kind', 'label', 'ref', 'service', 'updatedAt', 'version']);
    });

    it('round-trips unicode, long and awkward values exactly', async () => {
      const values = ['🔑 ключ 鍵 \u0000 nul inside', 'line1\nline2\r\n\t"quoted" \\ back', 'x'.repeat(64 * 1024), 'é'.repeat(32 * 1024)];
      for (const [i, value] of values.entries()) await ks.set('generic', `v${i}`, value);
      for (const [i, value] of values.entries()) expect(await ks.get('generic', `v${i}`)).toBe(value);
    });

    it('accepts ids at the limits and with inner spaces, unicode and punctuation', async () => {
      for (const id of ['x'.repeat(1024), 'é'.repeat(512), 'OpenAI key #2', 'ключ', 'a:b@c?d=e&f%20', 'Authorization']) {
        await ks.set('generic', id, VALUE);
        expect(await ks.get('generic', id)).toBe(VALUE);
      }
    });

    it.each([
      ['', 'empty'],
      ['   ', 'empty'],
      [' lead', 'untrimmed'],
      ['trail ', 'untrimmed'],
      ['a/b', 'slash'],
      ['a\\b', 'backslash'],
      ['a\nb', 'control_character'],
      ['a\u0000b', 'control_character'],
      ['a\u009fb', 'control_character'],
      ['a\ud800', 'malformed_unicode'],
      ['x'.repeat(1025), 'too_long'],
      ['é'.repeat(513), 'too_long'],
    ])('rejects id %j (%s) on every method, naming the rule', async (id, rule) => {
      for (const call of [ks.set('generic', id, VALUE), ks.get('generic', id), ks.delete('generic', id), ks.exists('generic', id)]) {
        const error = await errorOf(call);
        expect(error.code).toBe('invalid_secret_id');
        expect(error.details).toEqual({ field: 'id', rule });
      }
      expect(await ks.list()).toEqual([]);
    });

    it('rejects a service that is not a slug', async () => {
      for (const service of ['', 'Provider', 'a/b', 'x'.repeat(65)]) {
        expect(await codeOf(ks.set(service, 'id', VALUE))).toBe('invalid_secret_id');
        expect(await codeOf(ks.list({ service }))).toBe('invalid_secret_id');
      }
    });

    it('rejects empty, non-string, malformed and oversized values and bad options', async () => {
      expect(await codeOf(ks.set('generic', 'a', ''))).toBe('invalid_params');
      expect(await codeOf(ks.set('generic', 'a', 42 as unknown as string))).toBe('invalid_params');
      expect(await codeOf(ks.set('generic', 'a', 'bad\ud800surrogate'))).toBe('invalid_params');
      expect(await codeOf(ks.set('generic', 'a', 'x'.repeat(64 * 1024 + 1)))).toBe('payload_too_large');
      expect(await codeOf(ks.set('generic', 'a', VALUE, { kind: 'password' as never }))).toBe('invalid_params');
      expect(await codeOf(ks.set('generic', 'a', VALUE, { label: 'x'.repeat(257) }))).toBe('invalid_params');
      expect(await codeOf(ks.set('generic', 'a', VALUE, { label: 'a\nb' }))).toBe('invalid_params');
      expect(await ks.exists('generic', 'a')).toBe(false);
    });

    it('never puts the value in an error', async () => {
      const secret = 'sk-live-never-echo-me-0123456789';
      const errors = [
        await errorOf(ks.set('generic', 'bad/id', secret)),
        await errorOf(ks.set('Bad', 'id', secret)),
        await errorOf(ks.set('generic', 'ok', secret, { kind: 'nope' as never })),
        await errorOf(ks.set('generic', 'ok', `${secret}${'x'.repeat(70_000)}`)),
        await errorOf(ks.get('generic', secret + '/')),
      ];
      for (const error of errors) {
        expect(`${error.message} ${JSON.stringify(error.details ?? {})}`).not.toContain('sk-live-never-echo-me');
      }
    });

    it('setIfAbsent, where offered, creates an entry once and otherwise answers what is stored', async () => {
      if (!ks.setIfAbsent) return;
      const changes: KeystoreChange[] = [];
      ks.subscribe((change) => changes.push(change));
      const first = await ks.setIfAbsent('cairn', 'internal', VALUE, { label: 'internal key' });
      expect(first).toMatchObject({ created: true, value: VALUE, info: { version: 1, label: 'internal key', kind: 'generic' } });
      expect(await ks.setIfAbsent('cairn', 'internal', 'sk-another-value-0002')).toEqual({ created: false, value: VALUE, info: first.info });
      expect(await ks.get('cairn', 'internal')).toBe(VALUE);
      expect(changes).toEqual([{ type: 'set', info: first.info, value: VALUE }]);
      const raced = await Promise.all(['sk-racer-one-0001', 'sk-racer-two-0002'].map((value) => ks.setIfAbsent!('cairn', 'raced', value)));
      expect(raced.filter((r) => r.created)).toHaveLength(1);
      expect(raced[0]!.value).toBe(raced[1]!.value);
      expect(await ks.get('cairn', 'raced')).toBe(raced[0]!.value);
      expect(await codeOf(ks.setIfAbsent('cairn', 'bad/id', VALUE))).toBe('invalid_secret_id');
      expect(await codeOf(ks.setIfAbsent('cairn', 'empty', ''))).toBe('invalid_params');
    });

    it('notifies committed changes only, with the value for in-process listeners', async () => {
      const changes: KeystoreChange[] = [];
      const unsubscribe = ks.subscribe((change) => changes.push(change));
      const throwing = ks.subscribe(() => {
        throw new Error('listener failure does not fail the write');
      });
      const info = await ks.set('provider', 'openai', VALUE);
      await codeOf(ks.set('provider', 'bad/id', VALUE));
      await ks.delete('provider', 'openai');
      await ks.delete('provider', 'openai');
      unsubscribe();
      throwing();
      await ks.set('provider', 'after', VALUE);
      expect(changes).toEqual([
        { type: 'set', info, value: VALUE },
        { type: 'delete', service: 'provider', id: 'openai' },
      ]);
    });

    it('refuses every call after close', async () => {
      await ks.set('provider', 'openai', VALUE);
      await ks.close();
      expect(await codeOf(ks.get('provider', 'openai'))).toBe('storage_failed');
      expect(await codeOf(ks.set('provider', 'openai', VALUE))).toBe('storage_failed');
      expect(await codeOf(ks.list())).toBe('storage_failed');
    });
  });
}
