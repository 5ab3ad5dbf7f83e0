import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { SqliteWriteCoordinator, nativeHandle, openSqliteDatabase, type NativeDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
import { canonicalJson } from './canonical-json.js';
import { createJournal } from './create-journal.js';
import { GENESIS_HASH, hashEvent, hashEventV1 } from './hash-event.js';
import type { JournalEventRow } from './journal-row.js';
import { verifyJournal } from './verify-journal.js';
import { createSqliteReadPort, sqliteJob } from '../port/sqlite-port.js';

const AT = '2025-02-01T09:00:00.000Z';

/**
 * A journal as a v5 build wrote it: one chain over the file (`cairn.journal.v1`), each row at
 * the head + 1, inserted under 0002's trigger. 12 rows over ws_a, ws_b, ws_c.
 */
function writeV1Journal(native: NativeDatabase): void {
  const insert = native.prepare(
    `INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload, idempotency_key, recorded_at, prev_hash, hash)
     VALUES (?, ?, ?, 'turn', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const workspaceSeq = new Map<string, number>();
  const streamSeq = new Map<string, number>();
  let prevHash = GENESIS_HASH;
  for (let position = 1; position <= 12; position++) {
    const workspaceId = ['ws_a', 'ws_b', 'ws_c'][position % 3]!;
    const streamId = `${workspaceId}_turn${position % 2}`;
    const fields = {
      position,
      recordedAt: AT,
      workspaceId,
      workspaceSeq: (workspaceSeq.get(workspaceId) ?? 0) + 1,
      streamType: 'turn',
      streamId,
      streamSeq: (streamSeq.get(streamId) ?? 0) + 1,
      type: 'item.completed',
      idempotencyKey: position % 4 === 0 ? `raw-key-${position}` : null,
      payload: canonicalJson({ text: `v1 event ${position}` }),
      prevHash,
    };
    const hash = hashEventV1(fields);
    insert.run(position, workspaceId, fields.workspaceSeq, streamId, fields.streamSeq, fields.type, fields.payload, fields.idempotencyKey, AT, prevHash, hash);
    workspaceSeq.set(workspaceId, fields.workspaceSeq);
    streamSeq.set(streamId, fields.streamSeq);
    prevHash = hash;
  }
}

// SQLite-only: v1 rows exist only in SQLite files written before migration 0006.
describeSqlite('a v1 journal in a file not migrated yet (a v5 backup)', () => {
  it('verifies, and names an edited row', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-journal-v5-'));
    const ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    try {
      await runMigrations(ds, gatewayMigrations, { targetVersion: 5 });
      writeV1Journal(nativeHandle(ds));
      expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 12, lastPosition: 12 });
      nativeHandle(ds).exec(`DROP TRIGGER trg_journal_event_no_update; UPDATE journal_event SET type = 'x' WHERE position = 4`);
      expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 4, reason: 'hash_mismatch' });
    } finally {
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeSqlite('a v1 journal migrated to v6, then appended to', () => {
  let dir: string;
  let ds: DataSource;
  let native: NativeDatabase;
  let coordinator: SqliteWriteCoordinator;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-journal-versions-'));
    ds = await openSqliteDatabase({ path: join(dir, 'gateway.db') });
    await runMigrations(ds, gatewayMigrations, { targetVersion: 5 });
    native = nativeHandle(ds);
    writeV1Journal(native);
    await runMigrations(ds, gatewayMigrations);
    coordinator = new SqliteWriteCoordinator(ds);
    const journal = createJournal();
    await coordinator.write(
      sqliteJob(async (ctx) => {
        for (const [workspaceId, n] of [['ws_a', 3], ['ws_b', 2], ['ws_new', 2]] as const) {
          for (let i = 0; i < n; i++) {
            await journal.append(ctx, { workspaceId, streamType: 'turn', streamId: `${workspaceId}_turn0`, type: 'item.completed', payload: { i }, threadId: 'thr', recordedAt: AT });
          }
        }
      }),
    );
  });
  afterEach(async () => {
    await coordinator.close();
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = (where: string, ...params: unknown[]) => native.prepare(`SELECT * FROM journal_event WHERE ${where}`).get(...params) as JournalEventRow & { hash_version: number };
  const dropTriggers = () => native.exec('DROP TRIGGER trg_journal_event_no_update; DROP TRIGGER trg_journal_event_no_delete; DROP TRIGGER trg_journal_event_append');
  const sql = (text: string, ...params: unknown[]) => void native.prepare(text).run(...params);

  it('verifies as one walk: the v1 prefix as a file chain, each workspace first v2 row linked to its last v1 row', async () => {
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 19, lastPosition: 19 });
    const lastV1OfA = row(`workspace_id = 'ws_a' AND hash_version = 1 ORDER BY workspace_seq DESC LIMIT 1`);
    const firstV2OfA = row(`workspace_id = 'ws_a' AND hash_version = 2 ORDER BY workspace_seq LIMIT 1`);
    expect([lastV1OfA.position, firstV2OfA.position, firstV2OfA.workspace_seq]).toEqual([12, 13, 5]);
    expect(firstV2OfA.prev_hash).toBe(lastV1OfA.hash);
    // ws_b's first v2 row links to ws_b's last v1 row (10), not to the file's last row (12).
    const firstV2OfB = row(`workspace_id = 'ws_b' AND hash_version = 2 ORDER BY workspace_seq LIMIT 1`);
    expect(firstV2OfB.prev_hash).toBe(row('position = 10').hash);
    expect(row(`workspace_id = 'ws_new' AND workspace_seq = 1`).prev_hash).toBe(GENESIS_HASH);
    expect(firstV2OfA.hash).toBe(
      hashEvent({
        position: 13, recordedAt: AT, workspaceId: 'ws_a', workspaceSeq: 5, streamType: 'turn', streamId: 'ws_a_turn0', streamSeq: firstV2OfA.stream_seq,
        threadId: 'thr', type: 'item.completed', idempotencyKey: null, payload: '{"i":0}', prevHash: lastV1OfA.hash,
      }),
    );
  });

  it('names an edited v1 row (hash_mismatch) and a deleted one in the v1 prefix (position_gap)', async () => {
    dropTriggers();
    sql(`UPDATE journal_event SET payload = '{"text":"rewritten"}' WHERE position = 5`);
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 5, reason: 'hash_mismatch' });
    sql('DELETE FROM journal_event WHERE position = 5');
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 6, reason: 'position_gap', checked: 4 });
  });

  it("names the last v1 row of a workspace deleted: that workspace's first v2 row does not fit", async () => {
    dropTriggers();
    sql('DELETE FROM journal_event WHERE position = 12'); // ws_a's last v1 row, the file's last v1 row too
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 13, reason: 'workspace_seq_gap', workspaceId: 'ws_a', checked: 11 });
  });

  it('names a tampered row in one workspace without blaming the others, and a v2 row relabelled v1', async () => {
    dropTriggers();
    sql(`UPDATE journal_event SET payload = '{"i":9}' WHERE position = 15`); // ws_a's third v2 row
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 15, reason: 'hash_mismatch', workspaceId: 'ws_a', checked: 14 });
    sql(`UPDATE journal_event SET payload = '{"i":2}', hash_version = 1 WHERE position = 15`);
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: 15, reason: 'hash_version_order' });
  });

  it('names a consistent per-workspace rewrite only when it breaks the v1 link it hangs from', async () => {
    dropTriggers();
    // Forge ws_b's v2 rows as linking from genesis: the first v2 row no longer fits ws_b's v1 head.
    const first = row(`workspace_id = 'ws_b' AND hash_version = 2 ORDER BY workspace_seq LIMIT 1`);
    const forged = hashEvent({
      position: first.position, recordedAt: first.recorded_at, workspaceId: 'ws_b', workspaceSeq: first.workspace_seq, streamType: 'turn',
      streamId: first.stream_id, streamSeq: first.stream_seq, threadId: first.thread_id, type: first.type, idempotencyKey: null,
      payload: first.payload, prevHash: GENESIS_HASH,
    });
    sql('UPDATE journal_event SET prev_hash = ?, hash = ? WHERE position = ?', GENESIS_HASH, forged, first.position);
    expect(await createSqliteReadPort(ds).read((q) => verifyJournal(q))).toMatchObject({ ok: false, position: first.position, reason: 'prev_hash_mismatch', workspaceId: 'ws_b' });
  });
});
