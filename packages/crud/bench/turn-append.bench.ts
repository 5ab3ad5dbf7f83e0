// turn-append: one turn event per transaction, appended and projected through
// `store.turns.appendEvent` (params validated, idempotency key checked, projectors checked,
// payload redacted + RFC 8785 canonical JSON + SHA-256 chain link, journal row, read models,
// FTS5 document, thread activity; one coordinator job = one BEGIN IMMEDIATE..COMMIT).
//
// Baseline, same process, same file settings (WAL, synchronous=NORMAL): the same logical work
// written by hand on better-sqlite3 prepared statements (through `nativeHandle`): the same
// journal rows with the same hashes (same canonical JSON and hash function) and the same
// read-model rows, statement for statement the minimum, heads re-read under the write lock
// (multi-process safe, as the journal is). The bench checks that both files end up with
// identical rows. `ratio` = ours / baseline events per second.
//
// Also: LangGraph's SQLite checkpointer (`@langchain/langgraph-checkpoint-sqlite`, bench-only
// devDependency), one step = `putWrites` (one write of the event) + `put` (a checkpoint whose
// state is the event, or the turn so far), on its own defaults: WAL, and synchronous=NORMAL
// as ours (better-sqlite3's build default in WAL mode). `vs_langgraph` = our events/s / its
// steps/s. And `journal_only`: the baseline's journal row alone, nothing projected, which
// splits an event's cost into the journal and the read models the same transaction must write.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { nativeHandle, openSqliteDatabase } from '@cairn/sqlite';
import { report, round, summarize, type Measurement } from '@cairn/tooling/bench';
import { GENESIS_HASH, canonicalJson, hashEvent, idempotencyDigest, openCrudStore } from '../src/index.js';
import { benchClock, workload, type BenchEvent } from './turn-bench-workload.js';

const EVENTS = 20_000;
const WARMUP = 2_000;
const THREADS = 4;
const CHUNK = 500;
const MAX_MS = 20_000;
const WS = 'ws_bench';
const T0 = '2024-12-31T00:00:00.000Z';
const TURN_TABLES = ['turn', 'turn_input', 'turn_status_change', 'turn_item', 'turn_item_attempt', 'turn_timeline_entry', 'turn_search', 'journal_event'];

const events = workload(EVENTS + WARMUP, THREADS);
const dirs: string[] = [];
const tempDb = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-append-'));
  dirs.push(dir);
  return join(dir, 'gateway.db');
};

/** One contender: `step` appends event `i` (the same event sequence for everyone). */
interface Side {
  name: string;
  step(e: BenchEvent, i: number): unknown;
  close(): Promise<void>;
}

/**
 * Runs every side over the same events in interleaved chunks (the order rotating per chunk),
 * so that background load on a shared machine hits all sides alike; each side's figures come
 * from its own chunks only. Bounded by EVENTS and MAX_MS.
 */
async function race(sides: Side[]): Promise<Map<string, Measurement>> {
  const latencies = new Map(sides.map((s) => [s.name, [] as number[]]));
  const elapsed = new Map(sides.map((s) => [s.name, 0]));
  for (let i = 0; i < WARMUP; i++) for (const side of sides) await side.step(events[i]!, i);
  const started = performance.now();
  for (let from = WARMUP, chunk = 0; from < events.length && performance.now() - started < MAX_MS * sides.length; from += CHUNK, chunk++) {
    const to = Math.min(events.length, from + CHUNK);
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(k + chunk) % sides.length]!;
      const own = latencies.get(side.name)!;
      const t0 = performance.now();
      for (let i = from; i < to; i++) {
        const t = performance.now();
        await side.step(events[i]!, i);
        own.push(performance.now() - t);
      }
      elapsed.set(side.name, elapsed.get(side.name)! + performance.now() - t0);
    }
  }
  for (const side of sides) await side.close();
  return new Map(sides.map((s) => [s.name, summarize(latencies.get(s.name)!, elapsed.get(s.name)!)]));
}

async function ours(path: string): Promise<Side> {
  const clock = benchClock();
  const store = await openCrudStore({ path, clock });
  await store.context.write((ctx) => seed(ctx.run));
  clock.reset();
  return {
    name: 'ours',
    step: (e) => store.turns.appendEvent({ workspace_id: WS, thread_id: e.threadId, turn_id: e.turnId, idempotency_key: e.key, event: e.event }),
    close: () => store.close(),
  };
}

function seed(run: (sql: string, params?: unknown[]) => unknown): void {
  run('INSERT INTO workspace (workspace_id, name, default_slot, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)', [WS, 'Bench', T0, T0]);
  for (let t = 0; t < THREADS; t++) {
    run(
      `INSERT INTO thread (thread_id, workspace_id, folder_id, title, summary, summary_updated_at, status, sandbox_policy,
        forked_from_thread_id, forked_from_turn_id, created_at, updated_at, last_activity_at)
       VALUES (?, ?, NULL, NULL, NULL, NULL, 'active', ?, NULL, NULL, ?, ?, ?)`,
      [`thread_${t}`, WS, '{"mode":"workspace_write","writable_roots":[],"network_access":false}', T0, T0, T0],
    );
  }
}

/**
 * The same rows, written by hand. With `journalOnly`, only the journal row (same key check,
 * heads, canonical JSON and hash chain; no read model, no search, no thread activity): the
 * floor of what an event costs here before anything is projected.
 */
async function baseline(path: string, journalOnly = false): Promise<Side> {
  const ds = await openSqliteDatabase({ path });
  await runMigrations(ds, gatewayMigrations);
  const db = nativeHandle(ds);
  const s = (sql: string) => db.prepare(sql);
  seed((sql, params = []) => s(sql).run(...params));
  const clock = benchClock();
  const q = {
    key: s('SELECT 1 FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?'),
    lastPosition: s('SELECT position FROM journal_event ORDER BY position DESC LIMIT 1'),
    wsHead: s('SELECT workspace_seq AS seq, hash FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq DESC LIMIT 1'),
    streamHead: s('SELECT stream_seq AS seq, workspace_id FROM journal_event WHERE stream_type = ? AND stream_id = ? ORDER BY stream_seq DESC LIMIT 1'),
    insertEvent: s(`INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload,
      idempotency_key, recorded_at, prev_hash, hash, thread_id, hash_version) VALUES (?, ?, ?, 'turn', ?, ?, ?, ?, ?, ?, ?, ?, NULL, 2)`),
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

  const step = (e: BenchEvent): void => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const at = clock().toISOString();
      // The product's rows hold the key's digest, never the key: so do these.
      const key = idempotencyDigest(e.key);
      if (q.key.get(WS, key)) fail('duplicate key');
      const payloadText = canonicalJson({ ...e.event, thread_id: e.threadId });
      const last = q.lastPosition.get() as { position: number } | undefined;
      const head = q.wsHead.get(WS) as { seq: number; hash: string } | undefined;
      const stream = q.streamHead.get('turn', e.turnId) as { seq: number; workspace_id: string } | undefined;
      if (stream && stream.workspace_id !== WS) fail('stream of another workspace');
      const f = {
        position: (last?.position ?? 0) + 1,
        recordedAt: at,
        workspaceId: WS,
        workspaceSeq: (head?.seq ?? 0) + 1,
        streamType: 'turn',
        streamId: e.turnId,
        streamSeq: (stream?.seq ?? 0) + 1,
        threadId: null,
        type: e.event.type,
        idempotencyKey: key,
        payload: payloadText,
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      q.insertEvent.run(f.position, WS, f.workspaceSeq, e.turnId, f.streamSeq, f.type, payloadText, key, at, f.prevHash, hashEvent(f));
      if (!journalOnly) project(e, at, f.streamSeq, f.workspaceSeq);
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
        if ((q.thread.get(e.threadId) as { workspace_id: string } | undefined)?.workspace_id !== WS) fail('thread');
        const threadSeq = ((q.threadSeq.get(e.threadId) as { seq: number | null }).seq ?? 0) + 1;
        q.insertTurn.run(e.turnId, WS, e.threadId, threadSeq, seq, at, at);
        const texts: string[] = [];
        ev.input.forEach((part, i) => {
          if (part.type !== 'text') return fail('attachment');
          q.insertInput.run(e.turnId, i + 1, part.text);
          texts.push(part.text);
        });
        q.statusChange.run(e.turnId, seq, null, 'running', at);
        q.timeline.run(e.turnId, seq, wsSeq, ev.type, null, null, 'running', JSON.stringify({ parts: ev.input.length }), at);
        q.search.run(texts.join('\n'), WS, e.threadId, e.turnId, null, at);
        q.touch.run(at, at, at, e.threadId, at);
        return;
      }
      case 'item.started': {
        const turn = q.turn.get(e.turnId) as { status: string; item_count: number } | undefined;
        if (turn?.status !== 'running') fail('turn not running');
        const payload = ev.payload === undefined ? null : JSON.stringify(ev.payload);
        q.insertItem.run(e.turnId, ev.item_id, WS, e.threadId, turn!.item_count + 1, ev.item_type, payload, at, at);
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
        if (parts.length > 0) q.search.run(parts.join('\n'), WS, e.threadId, e.turnId, ev.item_id, at);
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

  return { name: journalOnly ? 'journal_only' : 'baseline', step, close: () => ds.destroy() };
}

/**
 * LangGraph's SQLite checkpointer on its defaults (WAL, synchronous=NORMAL, as ours). One step
 * per event: `putWrites` of the event, then `put` of the checkpoint, as a graph superstep does.
 * `state: 'event'`: the checkpoint's state is the event itself (the same bytes we journal).
 * `state: 'turn'`: it is the turn so far (every event of it), which is what a checkpoint of an
 * agent's state holds, and what our read models hold for the turn.
 */
function langgraph(path: string, state: 'event' | 'turn'): Side {
  const saver = SqliteSaver.fromConnString(path);
  // Creates its tables now, outside the timed steps (protected in the typings; `put` would call it lazily).
  (saver as unknown as { setup(): void }).setup();
  let previous: string | undefined;
  let turnId = '';
  let turnState: unknown[] = [];
  return {
    name: `langgraph_${state}`,
    async step(e, i) {
      const id = `1ef${i.toString(16).padStart(13, '0')}`;
      const payload = { ...e.event, thread_id: e.threadId };
      if (e.turnId !== turnId) [turnId, turnState, previous] = [e.turnId, [], undefined];
      turnState.push(payload);
      const checkpoint = {
        v: 4,
        id,
        ts: new Date(Date.UTC(2025, 0, 1) + i).toISOString(),
        channel_values: { events: state === 'event' ? [payload] : turnState },
        channel_versions: { events: i + 1 },
        versions_seen: { agent: { events: i } },
      };
      const config = { configurable: { thread_id: e.turnId, checkpoint_ns: '', ...(previous ? { checkpoint_id: previous } : {}) } };
      if (previous) await saver.putWrites(config as never, [['events', payload]], `task_${i}`);
      await saver.put(config, checkpoint as never, { source: 'loop', step: i, parents: {} } as never);
      previous = id;
    },
    async close() {
      (saver as unknown as { db: { close(): void } }).db.close();
    },
  };
}

async function sameRows(a: string, b: string): Promise<boolean> {
  const [da, db] = [await openSqliteDatabase({ path: a, readonly: true }), await openSqliteDatabase({ path: b, readonly: true })];
  try {
    for (const table of TURN_TABLES) {
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

try {
  const [pa, pb] = [tempDb(), tempDb()];
  const results = await race([
    await ours(pa),
    await baseline(pb),
    await baseline(tempDb(), true),
    langgraph(tempDb(), 'event'),
    langgraph(tempDb(), 'turn'),
  ]);
  for (const [name, m] of results) console.log(`${name.padEnd(16)} ${JSON.stringify(m)}`);
  if (!(await sameRows(pa, pb))) throw new Error('ours and baseline wrote different rows: the comparison is void');
  const o = results.get('ours')!;
  const b = results.get('baseline')!;
  const lgEvent = results.get('langgraph_event')!;
  const lgTurn = results.get('langgraph_turn')!;
  const journalOnly = results.get('journal_only')!;
  report({
    bench: 'turn-append',
    ratio: round(o.per_s / b.per_s, 3),
    events_per_s: o.per_s,
    p50_ms: o.p50_ms,
    p99_ms: o.p99_ms,
    baseline_events_per_s: b.per_s,
    baseline_p50_ms: b.p50_ms,
    baseline_p99_ms: b.p99_ms,
    identical_rows: true,
    vs_langgraph_turn_state: round(o.per_s / lgTurn.per_s, 3),
    langgraph_turn_state_steps_per_s: lgTurn.per_s,
    vs_langgraph_event_state: round(o.per_s / lgEvent.per_s, 3),
    langgraph_event_state_steps_per_s: lgEvent.per_s,
    // Where the time goes: the journal row alone (by hand) against LangGraph, and the hand-written
    // read models against it. Ours can be no faster than `baseline`, which writes the same rows.
    journal_only_events_per_s: journalOnly.per_s,
    journal_only_vs_langgraph_event_state: round(journalOnly.per_s / lgEvent.per_s, 3),
    baseline_vs_langgraph_event_state: round(b.per_s / lgEvent.per_s, 3),
    baseline_vs_langgraph_turn_state: round(b.per_s / lgTurn.per_s, 3),
    events: o.count,
  });
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
