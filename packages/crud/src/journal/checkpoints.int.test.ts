import { describeSqlite } from '../testing/backend.js';
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { sqliteStatements } from '../port/sqlite-port.js';
import { join } from 'node:path';
import { openCrudStore } from '../store/open-crud-store.js';
import { readChainHeads } from './chain-heads.js';
import type { CheckpointFinding } from './checkpoint-types.js';
import { createJournal } from './create-journal.js';
import { hashEvent } from './hash-event.js';
import { startJournalCheckpointer } from './journal-checkpointer.js';
import type { JournalEventRow } from './journal-row.js';
import { MemoryCheckpointStore } from './testing/memory-checkpoint-store.js';
import { openJournalTestDb, type JournalTestDb } from './testing/journal-db.js';
import type { JournalReader } from './types.js';
import { verifyCheckpoints } from './verify-checkpoints.js';
import { verifyJournal } from './verify-journal.js';

/** What every append also tells (openCrudStore wires the store's checkpointer to it). */
let onAppended: (workspaceId: string) => void = () => undefined;
const journal = createJournal({ now: () => '2025-04-01T08:00:00.000Z', onAppended: (ws) => onAppended(ws) });

// SQLite-only: a journal on a raw SQLite connection (openJournalTestDb) and the SQLite opener.
describeSqlite('signed checkpoints against the journal (memory store, real SQLite)', () => {
  let db: JournalTestDb;
  let store: MemoryCheckpointStore;
  let reader: JournalReader;
  const read = <T>(fn: (q: JournalReader) => Promise<T>): Promise<T> => fn(reader);
  /** `n` events to each workspace, streams of 5 events. */
  const append = (workspaces: Record<string, number>) =>
    db.port.write(async (ctx) => {
      for (const [workspaceId, n] of Object.entries(workspaces)) {
        for (let i = 0; i < n; i++) {
          const seq = (await ctx.get<{ n: number }>('SELECT count(*) AS n FROM journal_event WHERE workspace_id = ?', [workspaceId]))!.n;
          await journal.append(ctx, { workspaceId, streamType: 'turn', streamId: `${workspaceId}_t${Math.floor(seq / 5)}`, type: 'e', payload: { seq } });
        }
      }
    });
  const dropTriggers = () => db.native.exec('DROP TRIGGER trg_journal_event_no_update; DROP TRIGGER trg_journal_event_no_delete; DROP TRIGGER trg_journal_event_append');
  const sql = (text: string, ...params: unknown[]) => void db.native.prepare(text).run(...params);
  const findings = async () => (await verifyCheckpoints(reader, store.records)).findings;

  beforeEach(async () => {
    db = await openJournalTestDb();
    reader = sqliteStatements(db.native);
    store = new MemoryCheckpointStore(() => '2025-04-01T09:00:00.000Z');
    await append({ ws_a: 10, ws_b: 10, ws_c: 4 });
  });
  afterEach(async () => {
    onAppended = () => undefined;
    await db.close();
  });

  it('records every head at startup, then only heads that moved: by count, on demand and at close', async () => {
    const checkpointer = await startJournalCheckpointer(read, { store, everyEvents: 3, intervalMs: 0 });
    expect(store.records.map((r) => [r.kind, r.workspaceId, r.workspaceSeq])).toEqual([
      ['startup', 'ws_a', 10],
      ['startup', 'ws_b', 10],
      ['startup', 'ws_c', 4],
    ]);
    expect(store.records[0]!.hash).toBe((await readChainHeads(reader))[0]!.hash);
    // Three appends counted: a checkpoint follows their commit by itself.
    onAppended = (ws) => checkpointer.noteAppended(ws);
    await append({ ws_a: 3 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(store.records.slice(3).map((r) => [r.kind, r.workspaceId, r.workspaceSeq])).toEqual([['interval', 'ws_a', 13]]);
    // Nothing moved: nothing recorded.
    expect((await checkpointer.checkpoint()).recorded).toEqual([]);
    await append({ ws_b: 1 });
    await checkpointer.close();
    expect(store.records.slice(4).map((r) => [r.kind, r.workspaceId, r.workspaceSeq])).toEqual([['shutdown', 'ws_b', 11]]);
    expect(await verifyCheckpoints(reader, store.records)).toMatchObject({ ok: true, findings: [], unanchored: [] });
  });

  it('looks every intervalMs, also for events another process appended', async () => {
    const checkpointer = await startJournalCheckpointer(read, { store, everyEvents: 0, intervalMs: 20 });
    await append({ ws_c: 2 }); // nothing counted: as if another process had appended
    await new Promise((resolve) => setTimeout(resolve, 120));
    await checkpointer.close();
    expect(store.records.filter((r) => r.kind === 'interval').map((r) => [r.workspaceId, r.workspaceSeq])).toEqual([['ws_c', 6]]);
  });

  it('tail truncation: events_lost names the workspace and the seqs that are gone', async () => {
    await (await startJournalCheckpointer(read, { store, intervalMs: 0 })).close();
    dropTriggers();
    sql(`DELETE FROM journal_event WHERE workspace_id = 'ws_b' AND workspace_seq > 7`);
    expect(await db.port.read((q) => verifyJournal(q))).toMatchObject({ ok: true }); // invisible from inside the file
    const report = await verifyCheckpoints(reader, store.records);
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([
      expect.objectContaining({ reason: 'events_lost', workspaceId: 'ws_b', checkpointSeq: 10, journalSeq: 7, lost: { fromSeq: 8, toSeq: 10 } }),
    ]);
    expect(report.findings[0]!.detail).toMatch(/workspace ws_b ends at seq 7, but checkpoint #2 .* recorded seq 10: events 8\.\.10 are gone/);
    expect(report.workspaces.find((w) => w.workspaceId === 'ws_b')).toMatchObject({ contained: false, journalSeq: 7 });
    expect(report.workspaces.find((w) => w.workspaceId === 'ws_a')).toMatchObject({ contained: true, journalSeq: 10 });
  });

  it('a consistent rewrite from the middle: events_rewritten between the last checkpoint that still matches and the first that does not', async () => {
    const checkpointer = await startJournalCheckpointer(read, { store, intervalMs: 0 }); // ws_a at 10
    await append({ ws_a: 5 });
    await checkpointer.checkpoint(); // ws_a at 15
    await append({ ws_a: 5 });
    await checkpointer.close(); // ws_a at 20
    dropTriggers();
    // Edit ws_a's seq 12 and re-hash its chain from there: the file verifies again.
    const rows = db.native.prepare(`SELECT * FROM journal_event WHERE workspace_id = 'ws_a' AND workspace_seq >= 12 ORDER BY workspace_seq`).all() as JournalEventRow[];
    let prevHash = rows[0]!.prev_hash;
    for (const row of rows) {
      const payload = row.workspace_seq === 12 ? '{"seq":"forged"}' : row.payload;
      const hash = hashEvent({
        position: row.position, recordedAt: row.recorded_at, workspaceId: row.workspace_id, workspaceSeq: row.workspace_seq, streamType: row.stream_type,
        streamId: row.stream_id, streamSeq: row.stream_seq, threadId: row.thread_id, type: row.type, idempotencyKey: row.idempotency_key, payload, prevHash,
      });
      sql('UPDATE journal_event SET payload = ?, prev_hash = ?, hash = ? WHERE position = ?', payload, prevHash, hash, row.position);
      prevHash = hash;
    }
    expect(await db.port.read((q) => verifyJournal(q))).toMatchObject({ ok: true });
    expect(await findings()).toEqual([
      expect.objectContaining({ reason: 'events_rewritten', workspaceId: 'ws_a', checkpointSeq: 20, journalSeq: 20, rewritten: { afterSeq: 10, upToSeq: 15 } }),
    ]);
    expect((await findings())[0]!.detail).toMatch(/events after seq 10 and at or before 15 were rewritten/);
  });

  it('a deleted whole workspace: workspace_missing', async () => {
    await (await startJournalCheckpointer(read, { store, intervalMs: 0 })).close();
    dropTriggers();
    sql(`DELETE FROM journal_event WHERE workspace_id = 'ws_c'`);
    expect(await db.port.read((q) => verifyJournal(q))).toMatchObject({ ok: true });
    expect(await findings()).toEqual([expect.objectContaining({ reason: 'workspace_missing', workspaceId: 'ws_c', checkpointSeq: 4, journalSeq: 0, lost: { fromSeq: 1, toSeq: 4 } })]);
  });

  it('a forged checkpoint is named and not trusted: it neither hides nor invents a loss', async () => {
    await (await startJournalCheckpointer(read, { store, intervalMs: 0 })).close();
    store.records.push({ ...store.records[0]!, checkpointId: 99, workspaceSeq: 50, signature: 'invalid' });
    const report = await verifyCheckpoints(reader, store.records);
    expect(report.findings).toEqual([expect.objectContaining({ reason: 'checkpoint_forged', checkpointId: 99, workspaceId: 'ws_a' })]);
    expect(report.workspaces.find((w) => w.workspaceId === 'ws_a')!.newest.checkpointId).toBe(1);
  });

  it('a restore marker supersedes the newer checkpoints it dropped; older ones still bind', async () => {
    const checkpointer = await startJournalCheckpointer(read, { store, intervalMs: 0 });
    await append({ ws_a: 5, ws_d: 3 });
    await checkpointer.close(); // ws_a 15, ws_d 3
    dropTriggers();
    // "Restore" the state before the last append: ws_a back to 10, ws_d gone.
    sql(`DELETE FROM journal_event WHERE (workspace_id = 'ws_a' AND workspace_seq > 10) OR workspace_id = 'ws_d'`);
    expect((await findings()).map((f) => [f.reason, f.workspaceId])).toEqual([
      ['events_lost', 'ws_a'],
      ['workspace_missing', 'ws_d'],
    ]);
    const heads = await readChainHeads(reader);
    await store.record([...heads, { workspaceId: 'ws_d', workspaceSeq: 0, position: 0, hash: '0'.repeat(64) }], 'restore', { restoredFrom: 'gateway-20250401T085900.000Z.db' });
    const report = await verifyCheckpoints(reader, store.records);
    expect(report).toMatchObject({ ok: true, findings: [], restores: [{ restoredFrom: 'gateway-20250401T085900.000Z.db', workspaces: 4, superseded: 2 }] });
    // The older checkpoint of ws_b (seq 10, before the restore) still binds the restored file.
    sql(`DELETE FROM journal_event WHERE workspace_id = 'ws_b' AND workspace_seq = 10`);
    expect(await findings()).toEqual([expect.objectContaining({ reason: 'events_lost', workspaceId: 'ws_b', checkpointSeq: 10 })]);
  });

  it('never signs a head that continues a cut or rewritten chain; reports it once', async () => {
    await (await startJournalCheckpointer(read, { store, intervalMs: 0 })).close();
    dropTriggers();
    sql(`DELETE FROM journal_event WHERE workspace_id = 'ws_b' AND workspace_seq > 5`);
    db.native.exec(
      'CREATE TRIGGER "trg_journal_event_no_update" BEFORE UPDATE ON "journal_event" BEGIN SELECT RAISE(ABORT, \'no\'); END',
    );
    await append({ ws_b: 8, ws_a: 1 }); // ws_b grows past its old checkpoint again, on another chain
    const heard: CheckpointFinding[] = [];
    const checkpointer = await startJournalCheckpointer(read, { store, intervalMs: 0, onFinding: (f) => heard.push(f) });
    await checkpointer.checkpoint();
    await checkpointer.close();
    expect(heard).toEqual([expect.objectContaining({ reason: 'events_rewritten', workspaceId: 'ws_b', checkpointSeq: 10 })]);
    expect(store.records.filter((r) => r.workspaceId === 'ws_b').map((r) => r.workspaceSeq)).toEqual([10]);
    expect(store.records.filter((r) => r.workspaceId === 'ws_a').map((r) => r.workspaceSeq)).toEqual([10, 11]);
    expect(await findings()).toEqual([expect.objectContaining({ reason: 'events_rewritten', workspaceId: 'ws_b' })]);
  });
});

describeSqlite('openCrudStore({ checkpoints })', () => {
  it('checkpoints at open, counts appends through the store, and records the final heads at close', async () => {
    const db = await openJournalTestDb();
    await db.close({ removeDir: false });
    const checkpoints = new MemoryCheckpointStore();
    const store = await openCrudStore({ path: join(db.dir, 'gateway.db'), checkpoints: { store: checkpoints, everyEvents: 2, intervalMs: 0 } });
    try {
      const ws = await store.workspaces.ensureDefault();
      await store.context.write(async (ctx) => {
        for (let i = 0; i < 3; i++) await store.events.log.journal.append(ctx, { workspaceId: ws.workspace_id, streamType: 'audit', streamId: 'a1', type: 'x', payload: { i } });
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(checkpoints.records.map((r) => [r.kind, r.workspaceSeq])).toEqual([['interval', 3]]);
      await store.context.write((ctx) => store.events.log.journal.append(ctx, { workspaceId: ws.workspace_id, streamType: 'audit', streamId: 'a1', type: 'x', payload: {} }));
    } finally {
      await store.close();
    }
    expect(checkpoints.records.map((r) => [r.kind, r.workspaceSeq])).toEqual([
      ['interval', 3],
      ['shutdown', 4],
    ]);
    await db.close();
  });
});
