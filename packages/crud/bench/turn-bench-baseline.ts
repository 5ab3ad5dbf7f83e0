// Shared by the turn benches (not a bench itself: no `.bench.ts` suffix): the hand-written
// baseline. The same logical work as `store.turns.appendEvent(s)`, written by hand on
// better-sqlite3 prepared statements: the same journal rows with the same hashes (same
// canonical JSON and hash function) and the same read-model rows, statement for statement the
// minimum, the key checked and the heads re-read under the write lock for every event
// (multi-process safe, as the journal is). The benches check that its file and ours end up
// with identical rows.
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { nativeHandle, openSqliteDatabase } from '@cairn/sqlite';
import { GENESIS_HASH, canonicalJson, hashEvent, idempotencyDigest } from '../src/index.js';
import { benchClock, type BenchEvent } from './turn-bench-workload.js';

export const BENCH_WS = 'ws_bench';
const T0 = '2024-12-31T00:00:00.000Z';

/** The workspace and `threads` threads (`thread_<n>`), as rows, identically on every side. */
/** The bench's workspace and threads, through `run` (a port's async statement or a synchronous one: each is awaited). */
export async function seedBench(run: (sql: string, params?: unknown[]) => unknown, threads: number): Promise<void> {
  await run('INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)', [BENCH_WS, 'Bench', T0, T0]);
  for (let t = 0; t < threads; t++) {
    await run(
      `INSERT INTO thread (thread_id, workspace_id, folder_id, title, summary, summary_updated_at, status, sandbox_policy,
        forked_from_thread_id, forked_from_turn_id, created_at, updated_at, last_activity_at)
       VALUES (?, ?, NULL, NULL, NULL, NULL, 'active', ?, NULL, NULL, ?, ?, ?)`,
      [`thread_${t}`, BENCH_WS, '{"mode":"workspace_write","writable_roots":[],"network_access":false}', T0, T0, T0],
    );
  }
}

export interface HandWritten {
  /** Appends the events in one transaction. */
  append(events: readonly BenchEvent[]): void;
  close(): Promise<void>;
}

/**
 * The same rows, written by hand. With `journalOnly`, only the journal row (same key check,
 * heads, canonical JSON and hash chain; no read model, no search, no thread activity): the
 * floor of what an event costs here before anything is projected.
 */
export async function openHandWritten(path: string, options: { threads: number; journalOnly?: boolean }): Promise<HandWritten> {
  const journalOnly = options.journalOnly ?? false;
  const ds = await openSqliteDatabase({ path });
  await runMigrations(ds, gatewayMigrations);
  const db = nativeHandle(ds);
  const s = (sql: string) => db.prepare(sql);
  await seedBench((sql, params = []) => s(sql).run(...params), options.threads);
  const clock = benchClock();
  const q = {
    key: s('SELECT 1 FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?'),
    lastPosition: s('SELECT position FROM journal_event ORDER BY position DESC LIMIT 1'),
    wsHead: s('SELECT workspace_seq AS seq, hash FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq DESC LIMIT 1'),
    streamHead: s('SELECT stream_seq AS seq, workspace_id FROM journal_event WHERE stream_type = ? AND stream_id = ? ORDER BY stream_seq DESC LIMIT 1'),
    insertEvent: s(`INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload,
      idempotency_key, recorded_at, prev_hash, hash, thread_id, hash_version) VALUES (?, ?, ?, 'turn', ?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`),
    thread: s('SELECT workspace_id FROM thread WHERE thread_id = ?'),
    threadSeq: s('SELECT max(thread_seq) AS seq FROM turn WHERE thread_id = ?'),
    insertTurn: s(`INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, sandbox_policy, model, error, usage, item_count,
      open_recoveries, last_seq, started_at, updated_at, completed_at) VALUES (?, ?, ?, ?, 'running', NULL, NULL, NULL, NULL, 0, 0, ?, ?, ?, NULL)`),
    insertInput: s(`INSERT INTO turn_input (turn_id, ordinal, kind, text, attachment_id, name, mime_type) VALUES (?, ?, 'text', ?, NULL, NULL, NULL)`),
    statusChange: s('INSERT INTO turn_status_change (turn_id, seq, from_status, to_status, reason, changed_at) VALUES (?, ?, ?, ?, NULL, ?)'),
    timeline: s(`INSERT INTO turn_timeline_entry (turn_id, seq, workspace_seq, type, item_id, attempt, status, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    search: s('INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, ?, ?, ?, ?, ?)'),
    touch: s(`UPDATE thread SET last_activity_at = ?, updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END
      WHERE thread_id = ? AND last_activity_at < ?`),
    turn: s('SELECT status, item_count FROM turn WHERE turn_id = ?'),
    insertItem: s(`INSERT INTO turn_item (turn_id, item_id, workspace_id, thread_id, ordinal, item_type, status, attempt, text, payload, error,
      reason, timeout_ms, started_at, updated_at, completed_at, timed_out_at, retry_due_at)
      VALUES (?, ?, ?, ?, ?, ?, 'in_progress', 1, NULL, ?, NULL, NULL, NULL, ?, ?, NULL, NULL, NULL)`),
    insertAttempt: s(`INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at, ended_at, reason) VALUES (?, ?, 1, 'running', ?, NULL, NULL)`),
    countItem: s('UPDATE turn SET item_count = item_count + 1, last_seq = ?, updated_at = ? WHERE turn_id = ?'),
    appendText: s(`UPDATE turn_item SET text = coalesce(text, '') || ?, updated_at = ? WHERE turn_id = ? AND item_id = ? AND status = 'in_progress'`),
    setPayload: s(`UPDATE turn_item SET payload = ?, updated_at = ? WHERE turn_id = ? AND item_id = ? AND status = 'in_progress'`),
    bump: s('UPDATE turn SET last_seq = ?, updated_at = ? WHERE turn_id = ?'),
    item: s('SELECT item_type, text, payload, attempt FROM turn_item WHERE turn_id = ? AND item_id = ?'),
    closeItem: s(`UPDATE turn_item SET status = ?, text = ?, payload = ?, error = NULL, reason = NULL, completed_at = ?, updated_at = ?,
      retry_due_at = NULL WHERE turn_id = ? AND item_id = ?`),
    closeAttempts: s(`UPDATE turn_item_attempt SET status = ?, ended_at = ?, reason = NULL WHERE turn_id = ? AND item_id = ? AND +status = 'running'`),
    openItems: s(`SELECT count(*) AS n FROM turn_item WHERE turn_id = ? AND status = 'in_progress'`),
    endTurn: s(`UPDATE turn SET status = 'completed', error = NULL, usage = ?, open_recoveries = 0, completed_at = ?, last_seq = ?, updated_at = ?
      WHERE turn_id = ?`),
  };
  const fail = (why: string): never => {
    throw new Error(why);
  };

  /** One event's statements, inside the caller's transaction. */
  const write = (e: BenchEvent): void => {
    const at = clock().toISOString();
    // The product's rows hold the key's digest, never the key: so do these.
    const key = idempotencyDigest(e.key);
    if (q.key.get(BENCH_WS, key)) fail('duplicate key');
    const payloadText = canonicalJson(e.event);
    const last = q.lastPosition.get() as { position: number } | undefined;
    const head = q.wsHead.get(BENCH_WS) as { seq: number; hash: string } | undefined;
    const stream = q.streamHead.get('turn', e.turnId) as { seq: number; workspace_id: string } | undefined;
    if (stream && stream.workspace_id !== BENCH_WS) fail('stream of another workspace');
    const f = {
      position: (last?.position ?? 0) + 1,
      recordedAt: at,
      workspaceId: BENCH_WS,
      workspaceSeq: (head?.seq ?? 0) + 1,
      streamType: 'turn',
      streamId: e.turnId,
      streamSeq: (stream?.seq ?? 0) + 1,
      threadId: e.threadId,
      type: e.event.type,
      idempotencyKey: key,
      payload: payloadText,
      prevHash: head?.hash ?? GENESIS_HASH,
    };
    q.insertEvent.run(f.position, BENCH_WS, f.workspaceSeq, e.turnId, f.streamSeq, f.type, payloadText, key, at, f.prevHash, hashEvent(f), e.threadId);
    if (!journalOnly) project(e, at, f.streamSeq, f.workspaceSeq);
  };

  /** The events in ONE transaction (BEGIN IMMEDIATE .. COMMIT), all or nothing. */
  const append = (events: readonly BenchEvent[]): void => {
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const e of events) write(e);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  };

  const project = (e: BenchEvent, at: string, seq: number, wsSeq: number): void => {
    const ev = e.event;
    switch (ev.type) {
      case 'turn.started': {
        if ((q.thread.get(e.threadId) as { workspace_id: string } | undefined)?.workspace_id !== BENCH_WS) fail('thread');
        const threadSeq = ((q.threadSeq.get(e.threadId) as { seq: number | null }).seq ?? 0) + 1;
        q.insertTurn.run(e.turnId, BENCH_WS, e.threadId, threadSeq, seq, at, at);
        const texts: string[] = [];
        ev.input.forEach((part, i) => {
          if (part.type !== 'text') return fail('attachment');
          q.insertInput.run(e.turnId, i + 1, part.text);
          texts.push(part.text);
        });
        q.statusChange.run(e.turnId, seq, null, 'running', at);
        q.timeline.run(e.turnId, seq, wsSeq, ev.type, null, null, 'running', JSON.stringify({ parts: ev.input.length }), at);
        q.search.run(texts.join('\n'), BENCH_WS, e.threadId, e.turnId, null, at);
        q.touch.run(at, at, at, e.threadId, at);
        return;
      }
      case 'item.started': {
        const turn = q.turn.get(e.turnId) as { status: string; item_count: number } | undefined;
        if (turn?.status !== 'running') fail('turn not running');
        const payload = ev.payload === undefined ? null : JSON.stringify(ev.payload);
        q.insertItem.run(e.turnId, ev.item_id, BENCH_WS, e.threadId, turn!.item_count + 1, ev.item_type, payload, at, at);
        q.insertAttempt.run(e.turnId, ev.item_id, at);
        q.countItem.run(seq, at, e.turnId);
        q.timeline.run(e.turnId, seq, wsSeq, ev.type, ev.item_id, 1, 'in_progress', JSON.stringify({ item_type: ev.item_type }), at);
        return;
      }
      case 'item.agent_message.delta':
        if (q.appendText.run(ev.delta, at, e.turnId, ev.item_id).changes !== 1) fail('delta');
        q.bump.run(seq, at, e.turnId);
        return;
      case 'item.updated':
        if (q.setPayload.run(JSON.stringify(ev.payload), at, e.turnId, ev.item_id).changes !== 1) fail('update');
        q.bump.run(seq, at, e.turnId);
        return;
      case 'item.completed': {
        const item = q.item.get(e.turnId, ev.item_id) as { item_type: string; text: string | null; payload: string | null; attempt: number };
        const text = ev.text ?? item.text;
        const payload = ev.payload === undefined ? item.payload : JSON.stringify(ev.payload);
        q.closeItem.run(ev.status, text, payload, at, at, e.turnId, ev.item_id);
        q.closeAttempts.run(ev.status, at, e.turnId, ev.item_id);
        const parts = text ? [text] : [];
        if (item.item_type !== 'agent_message' && item.item_type !== 'reasoning' && payload) {
          for (const v of Object.values(JSON.parse(payload) as Record<string, unknown>)) if (typeof v === 'string') parts.push(v);
        }
        if (parts.length > 0) q.search.run(parts.join('\n'), BENCH_WS, e.threadId, e.turnId, ev.item_id, at);
        q.bump.run(seq, at, e.turnId);
        q.timeline.run(e.turnId, seq, wsSeq, ev.type, ev.item_id, item.attempt, ev.status, null, at);
        return;
      }
      case 'turn.completed':
        if ((q.openItems.get(e.turnId) as { n: number }).n > 0) fail('open items');
        q.endTurn.run(ev.usage ? JSON.stringify(ev.usage) : null, at, seq, at, e.turnId);
        q.statusChange.run(e.turnId, seq, 'running', 'completed', at);
        q.timeline.run(e.turnId, seq, wsSeq, ev.type, null, null, 'completed', null, at);
        q.touch.run(at, at, at, e.threadId, at);
        return;
      default:
        fail(`baseline does not write ${ev.type}`);
    }
  };

  return { append, close: () => ds.destroy() };
}

/** Every table both sides write; `sameRows` compares them row for row. */
const WRITTEN_TABLES = ['turn', 'turn_input', 'turn_status_change', 'turn_item', 'turn_item_attempt', 'turn_timeline_entry', 'turn_search', 'journal_event'];

/** Whether two files hold identical rows in every written table: a comparison is void otherwise. */
export async function sameRows(a: string, b: string): Promise<boolean> {
  const [da, db] = [await openSqliteDatabase({ path: a, readonly: true }), await openSqliteDatabase({ path: b, readonly: true })];
  try {
    for (const table of WRITTEN_TABLES) {
      const sql = `SELECT * FROM "${table}" ORDER BY rowid`;
      const [ra, rb] = [nativeHandle(da).prepare(sql).all(), nativeHandle(db).prepare(sql).all()];
      if (JSON.stringify(ra) !== JSON.stringify(rb)) {
        console.error(`rows differ in ${table}: ${ra.length} vs ${rb.length}`);
        return false;
      }
    }
    return true;
  } finally {
    await da.destroy();
    await db.destroy();
  }
}
