import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createFileMasterKeySource } from '../key-source/file-key-source.js';
import { readKeyFile } from '../key-source/key-file.js';
import { startKeystoreChild, type KeystoreChild } from '../testing/fixtures/keystore-child-process.js';
import { createPostgresKeystoreFixture, type PostgresKeystoreFixture } from '../testing/fixtures/postgres-keystore.js';
import { createTempHome } from '../testing/temp-home.js';

// Keystores in separate processes on one PostgreSQL server and one home (the key file), as two
// gateways on one machine would be.
describe('PostgresKeystore in several processes', () => {
  let fixture: PostgresKeystoreFixture;
  let home: string;
  let cleanupHome: () => void;
  const children: KeystoreChild[] = [];
  const child = async () => {
    const started = await startKeystoreChild(fixture.url, home);
    children.push(started);
    return started;
  };
  const last = (lines: string[]) => lines[lines.length - 1]!;
  beforeEach(async () => {
    ({ home, cleanup: cleanupHome } = createTempHome());
    fixture = await createPostgresKeystoreFixture();
  });
  afterEach(async () => {
    for (const c of children.splice(0)) await c.exit();
    await fixture.cleanup();
    cleanupHome();
  });

  it('a set in one process is read by the other at once, both ways (no cache)', async () => {
    const here = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
    const there = await child();
    expect(there.keyId).toBe(here.keyId);
    expect(await there.send('get openai')).toEqual(['ok -']);
    await here.set('provider', 'openai', 'sk-first-value-0001');
    expect(await there.send('get openai')).toEqual(['ok sk-first-value-0001']);
    await here.set('provider', 'openai', 'sk-second-value-0002');
    expect(await there.send('get openai')).toEqual(['ok sk-second-value-0002']);
    expect(await there.send('set anthropic sk-from-the-child-0003')).toEqual(['ok 1']);
    expect(await here.get('provider', 'anthropic')).toBe('sk-from-the-child-0003');
    await here.delete('provider', 'openai');
    expect(await there.send('get openai')).toEqual(['ok -']);
  });

  it('concurrent sets of one id from two processes end with one version sequence, nothing lost', async () => {
    const [a, b] = await Promise.all([child(), child()]);
    const [linesA, linesB] = await Promise.all([a.send('set-many shared 25 a'), b.send('set-many shared 25 b')]);
    expect([last(linesA), last(linesB)]).toEqual(['ok', 'ok']);
    const acked = [...linesA, ...linesB].flatMap((line) => {
      const [word, version, value] = line.split(' ');
      return word === 'set' ? [{ version: Number(version), value: value! }] : [];
    });
    // Every set got its own version: 1..50, none twice, none skipped.
    expect(acked.map((s) => s.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const reader = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
    const [info] = await reader.list();
    expect(info).toMatchObject({ id: 'shared', version: 50 });
    expect(await reader.get('provider', 'shared')).toBe(acked.find((s) => s.version === 50)!.value);
  });

  it('two processes rotating at once take turns: every secret ends under the one key the key file holds', async () => {
    const seed = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
    for (let i = 0; i < 40; i++) await seed.set('provider', `id-${i}`, `sk-rotated-value-${i}`);
    const [a, b] = await Promise.all([child(), child()]);
    const results = await Promise.all([a.send('rotate'), b.send('rotate')].map((p) => p.then(last)));
    // Each either rotated (from the key it found under the lock) or was refused with a typed error.
    for (const result of results) expect(result).toMatch(/^(ok [0-9a-f]{16} [0-9a-f]{16} 40|error (busy|master_key_invalid) .*)$/);
    const rotated = results.filter((r) => r.startsWith('ok ')).map((r) => r.split(' ').slice(1, 3));
    expect(rotated.length).toBeGreaterThanOrEqual(1);
    // The rotations form one chain: each started from the key the previous one left.
    const chain = new Map(rotated.map(([from, to]) => [from!, to!]));
    expect(chain.size).toBe(rotated.length);
    const key = readKeyFile(join(home, 'keystore.key'));
    expect(key.ok).toBe(true);
    expect(existsSync(join(home, 'keystore.key.next'))).toBe(false);
    const rows = await fixture.query('SELECT DISTINCT key_id FROM keystore_secret');
    expect(rows).toEqual([{ key_id: key.ok ? key.key.id : '' }]);
    expect(await fixture.query('SELECT key_id FROM keystore_meta')).toEqual(rows);
    // The seeding keystore follows, and each child still reads every secret.
    for (let i = 0; i < 40; i++) expect(await seed.get('provider', `id-${i}`)).toBe(`sk-rotated-value-${i}`);
    expect(seed.keyId).toBe(key.ok ? key.key.id : '');
    expect(await a.send('get id-7')).toEqual(['ok sk-rotated-value-7']);
    expect(await b.send('get id-39')).toEqual(['ok sk-rotated-value-39']);
  });

  it('a rotation in one process while the other writes: the writes land under the new key, none lost', async () => {
    const [writer, rotator] = await Promise.all([child(), child()]);
    const [written, rotated] = await Promise.all([writer.send('set-many busy 40 w'), rotator.send('rotate')]);
    expect(last(written)).toBe('ok');
    expect(last(rotated)).toMatch(/^ok /);
    const reader = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
    expect(await reader.get('provider', 'busy')).toBe('w-39');
    expect((await reader.list())[0]).toMatchObject({ version: 40 });
    expect(await fixture.query('SELECT DISTINCT key_id FROM keystore_secret')).toEqual([{ key_id: reader.keyId }]);
  });

  it('two processes recording journal checkpoints at once: one signing key, every record kept with its own id', async () => {
    const [a, b] = await Promise.all([child(), child()]);
    const [linesA, linesB] = await Promise.all([a.send('record ws_a 12'), b.send('record ws_b 12')]);
    expect(last(linesA)).toMatch(/^ok [0-9a-f]{16}$/);
    // One signing key for both (the entry is created once), so the other's records verify too.
    expect(last(linesB)).toBe(last(linesA));
    const ids = [...linesA, ...linesB].filter((l) => l.startsWith('recorded ')).map((l) => Number(l.split(' ')[1]));
    expect(new Set(ids).size).toBe(24);
    const reader = await fixture.open({ home, keySource: createFileMasterKeySource(home) });
    const listed = await (await reader.journalCheckpoints()).list();
    expect(listed).toHaveLength(24);
    expect(listed.every((c) => c.signature === 'valid')).toBe(true);
  });
});
