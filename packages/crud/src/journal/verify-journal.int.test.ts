import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { openSqliteDatabase } from '@cairn/sqlite';
import { createJournal } from './create-journal.js';
import { GENESIS_HASH, hashEvent } from './hash-event.js';
import type { JournalEventRow } from './journal-row.js';
import { openJournalTestDb, type JournalTestDb } from './testing/journal-db.js';
import { verifyJournal } from './verify-journal.js';
import { createSqliteReadPort } from '../port/sqlite-port.js';

const EVENTS = 30;

const hashOf = (row: JournalEventRow, prevHash = row.prev_hash, payload = row.payload): string =>
  hashEvent({
    position: row.position, recordedAt: row.recorded_at, workspaceId: row.workspace_id, workspaceSeq: row.workspace_seq,
    streamType: row.stream_type, streamId: row.stream_id, streamSeq: row.stream_seq, threadId: row.thread_id, type: row.type,
    idempotencyKey: row.idempotency_key, payload, prevHash,
  });

/** 30 events over two workspaces and four streams; event i has payload {"i":i} and lives at position i. */
async function seed(db: JournalTestDb): Promise<void> {
  const journal = createJournal();
  await db.port.write(async (ctx) => {
    for (let i = 1; i <= EVENTS; i++) {
      await journal.append(ctx, {
        workspaceId: i % 2 === 0 ? 'ws_even' : 'ws_odd',
        streamType: 'turn',
        streamId: `turn_${i % 4}`,
        type: 'item.completed',
        payload: { i, text: `event number ${i}` },
        recordedAt: '2025-03-01T10:00:00.000Z',
      });
    }
  });
}

// SQLite-only: tampering with a SQLite file through a raw connection.
describeSqlite('verifyJournal', () => {
  let db: JournalTestDb;
  beforeEach(async () => {
    db = await openJournalTestDb();
    await seed(db);
  });
  afterEach(async () => {
    await db.close();
  });

  /** What an attacker with the file does first: the triggers are only a guard against mistakes. */
  const dropTriggers = (): void => {
    db.native.exec('DROP TRIGGER trg_journal_event_no_update; DROP TRIGGER trg_journal_event_no_delete; DROP TRIGGER trg_journal_event_append');
  };
  const sql = (text: string, ...params: unknown[]): void => {
    db.native.prepare(text).run(...params);
  };
  /** Recomputes prev_hash and hash from `from` to the end, each workspace's chain, as a forger covering their tracks would. */
  const rehashFrom = (from: number): void => {
    const rows = db.native.prepare('SELECT * FROM journal_event WHERE position >= ? ORDER BY position').all(from) as JournalEventRow[];
    const prev = new Map<string, string>();
    for (const row of rows) {
      const before = db.native.prepare('SELECT hash FROM journal_event WHERE workspace_id = ? AND position < ? ORDER BY position DESC LIMIT 1');
      const prevHash = prev.get(row.workspace_id) ?? (before.get(row.workspace_id, from) as { hash: string } | undefined)?.hash ?? GENESIS_HASH;
      const hash = hashOf(row, prevHash);
      sql('UPDATE journal_event SET prev_hash = ?, hash = ? WHERE position = ?', prevHash, hash, row.position);
      prev.set(row.workspace_id, hash);
    }
  };
  const broken = (position: number, reason: string, checked = position - 1, at: { workspaceId?: string; workspaceSeq?: number } = {}) =>
    expect.objectContaining({ ok: false, position, reason, checked, ...at });

  it('passes a clean journal, in any batch size, reporting progress', async () => {
    expect(await db.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: EVENTS, lastPosition: EVENTS });
    const progress: number[] = [];
    expect(await db.port.read((q) => verifyJournal(q, { batchSize: 7, onProgress: (n) => progress.push(n) }))).toEqual({
      ok: true,
      checked: EVENTS,
      lastPosition: EVENTS,
    });
    expect(progress).toEqual([7, 14, 21, 28, 30]);
  });

  it('passes an empty journal', async () => {
    const empty = await openJournalTestDb();
    try {
      expect(await createSqliteReadPort(empty.dataSource).read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 0, lastPosition: 0 });
    } finally {
      await empty.close();
    }
  });

  it('names an edited payload: hash_mismatch at that row', async () => {
    dropTriggers();
    sql(`UPDATE journal_event SET payload = '{"i":12,"text":"rewritten"}' WHERE position = 12`);
    expect(await db.port.read((q) => verifyJournal(q, { batchSize: 5 }))).toEqual(broken(12, 'hash_mismatch'));
  });

  it('names bytes rewritten inside the database file: hash_mismatch at that row', async () => {
    await db.close({ removeDir: false }); // checkpoints the WAL into the main file
    const bytes = readFileSync(db.path);
    const needle = Buffer.from('event number 17"');
    // Every copy: SQLite may also have left stale copies of the row in freed pages.
    let rewritten = 0;
    for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1), rewritten++) bytes.write('event NUMBER 17"', at);
    expect(rewritten).toBeGreaterThan(0);
    writeFileSync(db.path, bytes);
    const reopened = await openSqliteDatabase({ path: db.path });
    try {
      expect(await createSqliteReadPort(reopened).read((q) => verifyJournal(q))).toEqual(broken(17, 'hash_mismatch'));
    } finally {
      await reopened.destroy();
    }
  });

  it('names an edited column that is not the payload (the hash covers every column)', async () => {
    dropTriggers();
    sql(`UPDATE journal_event SET recorded_at = '2025-03-01T09:00:00.000Z' WHERE position = 4`);
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(4, 'hash_mismatch'));
  });

  it('names a deleted row: workspace_seq_gap at the next row of its workspace', async () => {
    dropTriggers();
    sql('DELETE FROM journal_event WHERE position = 9'); // ws_odd's 5th
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(11, 'workspace_seq_gap', 9, { workspaceId: 'ws_odd', workspaceSeq: 6 }));
  });

  it("names a deleted first row: workspace_seq_gap at its workspace's new first row", async () => {
    dropTriggers();
    sql('DELETE FROM journal_event WHERE position = 1');
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(3, 'workspace_seq_gap', 1));
  });

  it('names a row whose hash was recomputed after an edit: prev_hash_mismatch at the next row of its workspace', async () => {
    dropTriggers();
    const row = db.native.prepare('SELECT * FROM journal_event WHERE position = 20').get() as JournalEventRow;
    const payload = '{"i":20,"text":"forged"}';
    sql('UPDATE journal_event SET payload = ?, hash = ? WHERE position = 20', payload, hashOf(row, row.prev_hash, payload));
    // Position 21 is ws_odd's and still links fine; 22 is ws_even's next.
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(22, 'prev_hash_mismatch', 21, { workspaceId: 'ws_even', workspaceSeq: 11 }));
  });

  it('names a forged row hashed without the right prev link: prev_hash_mismatch at that row', async () => {
    dropTriggers();
    const row = db.native.prepare('SELECT * FROM journal_event WHERE position = 15').get() as JournalEventRow;
    const prevHash = 'e'.repeat(64);
    const payload = '{"i":15,"text":"forged"}';
    sql('UPDATE journal_event SET payload = ?, prev_hash = ?, hash = ? WHERE position = 15', payload, prevHash, hashOf(row, prevHash, payload));
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(15, 'prev_hash_mismatch'));
  });

  it("names a row moved into another workspace's chain: its link does not fit there", async () => {
    dropTriggers();
    // Row 12 (ws_even, seq 6) relabelled as the first row of a new workspace and re-hashed: its prev_hash is still ws_even's.
    const row = db.native.prepare('SELECT * FROM journal_event WHERE position = 12').get() as JournalEventRow;
    sql(`UPDATE journal_event SET workspace_id = 'ws_new', workspace_seq = 1 WHERE position = 12`);
    sql('UPDATE journal_event SET hash = ? WHERE position = 12', hashOf({ ...row, workspace_id: 'ws_new', workspace_seq: 1 }));
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(12, 'prev_hash_mismatch', 11, { workspaceId: 'ws_new', workspaceSeq: 1 }));
    // Linked to genesis as well, it is ws_even that shows the hole.
    const relinked = { ...row, workspace_id: 'ws_new', workspace_seq: 1, prev_hash: GENESIS_HASH };
    sql('UPDATE journal_event SET prev_hash = ?, hash = ? WHERE position = 12', GENESIS_HASH, hashOf(relinked));
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(14, 'workspace_seq_gap', 13, { workspaceId: 'ws_even', workspaceSeq: 7 }));
  });

  it('names a row whose hash_version was changed: hash_mismatch (v1 encoding) or malformed_row (unknown)', async () => {
    dropTriggers();
    sql('UPDATE journal_event SET hash_version = 3 WHERE position = 7');
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(7, 'malformed_row'));
    sql('UPDATE journal_event SET hash_version = 1 WHERE position = 7');
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(7, 'hash_version_order'));
  });

  it('names reordered stream seqs even when the whole chain was rehashed: stream_seq_gap', async () => {
    dropTriggers();
    // turn_1 holds positions 1, 5, 9, 13, ... with stream_seq 1, 2, 3, 4: swap seqs 3 and 4.
    sql('UPDATE journal_event SET stream_seq = -1 WHERE position = 9');
    sql('UPDATE journal_event SET stream_seq = 3 WHERE position = 13');
    sql('UPDATE journal_event SET stream_seq = 4 WHERE position = 9');
    rehashFrom(9);
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(9, 'stream_seq_gap'));
  });

  it('names reordered workspace seqs even when the whole chain was rehashed: workspace_seq_gap', async () => {
    dropTriggers();
    // ws_even holds positions 2, 4, 6, ... with workspace_seq 1, 2, 3: swap 6 and 8's seqs (3 and 4).
    sql('UPDATE journal_event SET workspace_seq = -1 WHERE position = 6');
    sql('UPDATE journal_event SET workspace_seq = 3 WHERE position = 8');
    sql('UPDATE journal_event SET workspace_seq = 4 WHERE position = 6');
    rehashFrom(6);
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(6, 'workspace_seq_gap'));
  });

  it('names a column rewritten with the wrong storage type: malformed_row', async () => {
    dropTriggers();
    sql('UPDATE journal_event SET payload = CAST(payload AS BLOB) WHERE position = 3');
    expect(await db.port.read((q) => verifyJournal(q))).toEqual(broken(3, 'malformed_row'));
  });

  it('reports the first broken link when there are several', async () => {
    dropTriggers();
    sql('DELETE FROM journal_event WHERE position = 25');
    sql(`UPDATE journal_event SET payload = '{}' WHERE position = 11`);
    expect(await db.port.read((q) => verifyJournal(q, { batchSize: 4 }))).toEqual(broken(11, 'hash_mismatch'));
  });

  it('cannot see the newest rows cut off; lastPosition is what to compare with a head kept elsewhere', async () => {
    dropTriggers();
    sql('DELETE FROM journal_event WHERE position > 27');
    expect(await db.port.read((q) => verifyJournal(q))).toEqual({ ok: true, checked: 27, lastPosition: 27 });
  });
});
