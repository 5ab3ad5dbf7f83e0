import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EncryptedKeystore } from '../store/encrypted-keystore.js';
import { KEYSTORE_BACKENDS, type BackendSubject } from '../testing/fixtures/keystore-backends.js';
import { createManualClock } from '../testing/temp-home.js';
import { JOURNAL_SIGNING_KEY } from './checkpoint-signer.js';
import { CHECKPOINTS_KEPT_PER_WORKSPACE } from './journal-checkpoint-log.js';

const hash = (c: string) => c.repeat(64);
const head = (workspaceId: string, workspaceSeq: number, c = 'a') => ({ workspaceId, workspaceSeq, position: workspaceSeq * 2, hash: hash(c) });

describe.each(KEYSTORE_BACKENDS)('journal checkpoints on $name', (backend) => {
  let subject: BackendSubject;
  let keystore: EncryptedKeystore;
  const clock = createManualClock();
  beforeEach(async () => {
    subject = await backend.create();
    keystore = await subject.open({ now: clock.now });
  });
  afterEach(async () => {
    await subject.cleanup();
  });

  it('signs each head with a key kept as a keystore entry, and reads them back verified, in order', async () => {
    const log = await keystore.journalCheckpoints();
    const recorded = await log.record([head('ws_a', 3), head('ws_b', 1, 'b')], 'interval');
    clock.advance(1000);
    await log.record([head('ws_a', 5, 'c')], 'shutdown');
    expect(await log.list()).toEqual([
      { ...recorded[0], signature: 'valid' },
      { ...recorded[1], signature: 'valid' },
      expect.objectContaining({ checkpointId: 3, kind: 'shutdown', workspaceId: 'ws_a', workspaceSeq: 5, recordedAt: '2026-01-01T00:00:01.000Z', signature: 'valid' }),
    ]);
    expect(recorded.map((r) => r.checkpointId)).toEqual([1, 2]);
    expect(log.keyId).toMatch(/^[0-9a-f]{16}$/);
    // The entry is the key's 32-byte seed, nothing with a prefix every Ed25519 key shares.
    expect(Buffer.from((await keystore.get(JOURNAL_SIGNING_KEY.service, JOURNAL_SIGNING_KEY.id))!, 'base64').byteLength).toBe(32);
    expect((await log.list({ newestPerWorkspace: true })).map((c) => [c.workspaceId, c.workspaceSeq])).toEqual([
      ['ws_b', 1],
      ['ws_a', 5],
    ]);
    await expect(log.record([{ ...head('ws', 1), hash: 'nothex' }], 'interval')).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('names a record forged without the key, an altered one, one renumbered and one under another key id', async () => {
    const log = await keystore.journalCheckpoints();
    await log.record([head('ws_a', 3), head('ws_b', 4)], 'interval');
    {
      // Behind the keystore's back, with raw SQL.
      const query = subject.query;
      const [real] = (await query('SELECT signature FROM keystore_journal_checkpoint WHERE checkpoint_id = 1')) as Array<{ signature: string }>;
      // Forged: a made-up head with a signature copied from a real record (no key to make a right one).
      await query(
        `INSERT INTO keystore_journal_checkpoint VALUES (3, 'interval', '2026-01-01T00:00:00.000Z', 'ws_a', 99, 198, ?, NULL, ?, ?)`,
        [hash('f'), log.keyId, real!.signature],
      );
      await query('UPDATE keystore_journal_checkpoint SET workspace_seq = 2 WHERE checkpoint_id = 2');
      await query(`INSERT INTO keystore_journal_checkpoint SELECT 10, kind, recorded_at, workspace_id, workspace_seq, position, hash, restored_from, key_id, signature FROM keystore_journal_checkpoint WHERE checkpoint_id = 1`);
      await query(`INSERT INTO keystore_journal_checkpoint VALUES (11, 'interval', 't', 'ws_c', 1, 1, ?, NULL, '0123456789abcdef', 'sig')`, [hash('c')]);
    }
    expect((await log.list()).map((c) => [c.checkpointId, c.signature])).toEqual([
      [1, 'valid'],
      [2, 'invalid'],
      [3, 'invalid'],
      [10, 'invalid'],
      [11, 'unknown_key'],
    ]);
    // The newest record of ws_a that still verifies is 1, not the forged 3 or the copy 10.
    expect((await log.list({ newestPerWorkspace: true })).map((c) => c.checkpointId)).toEqual([1]);
  });

  it('survives a master-key rotation: the signing key is re-sealed, not replaced, so old records still verify', async () => {
    const log = await keystore.journalCheckpoints();
    await log.record([head('ws_a', 1)], 'interval');
    const before = log.keyId;
    await keystore.rotateMasterKey();
    await keystore.close();
    keystore = await subject.open({ now: clock.now });
    const reopened = await keystore.journalCheckpoints();
    expect(reopened.keyId).toBe(before);
    expect((await reopened.list()).map((c) => c.signature)).toEqual(['valid']);
  });

  it(`keeps the newest ${CHECKPOINTS_KEPT_PER_WORKSPACE} records of each workspace`, async () => {
    const log = await keystore.journalCheckpoints();
    for (let seq = 1; seq <= CHECKPOINTS_KEPT_PER_WORKSPACE + 5; seq++) await log.record([head('ws_a', seq)], 'interval');
    await log.record([head('ws_b', 1)], 'interval');
    const kept = await log.list();
    expect(kept.filter((c) => c.workspaceId === 'ws_a').map((c) => c.workspaceSeq)).toEqual(
      Array.from({ length: CHECKPOINTS_KEPT_PER_WORKSPACE }, (_, i) => i + 6),
    );
    expect(kept.filter((c) => c.workspaceId === 'ws_b')).toHaveLength(1);
    expect(kept.every((c) => c.signature === 'valid')).toBe(true);
  });
});
