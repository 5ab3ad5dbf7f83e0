// Shared by the turn benches (not a bench itself: no `.bench.ts` suffix): the hand-written
// baseline. The same logical work as `store.turns.appendEvent(s)`, written by hand: the same
// journal rows with the same hashes (same canonical JSON and hash function) and the same
// read-model rows, statement for statement the minimum, the key checked and the heads re-read
// under the write lock for every event (multi-process safe, as the journal is). The benches
// check that its database and ours end up with identical rows.
//
// The statements are written once, as a generator that yields each statement and receives its
// result, and run by two drivers: synchronously on better-sqlite3 prepared statements (SQLite:
// no promise per statement, the floor there) and awaited on `@cairn/postgres`'s statements
// (PostgreSQL: named prepared statements on one pooled connection per transaction, no ORM,
// no crud).
import { gatewayMigrations, runMigrations } from '@cairn/migration';
import { openPostgresDatabase, withPostgresSession, type PostgresStatements } from '@cairn/postgres';
import { nativeHandle, openSqliteDatabase } from '@cairn/sqlite';
import type { DataSource } from 'typeorm';
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
  append(events: readonly BenchEvent[]): void | Promise<void>;
  /** The PostgreSQL side's DataSource (to compare its rows), while open. */
  dataSource?: DataSource;
  close(): Promise<void>;
}

/** The statements, portable (`?` placeholders), named; `nextPosition` and the lock differ per database. */
const SQL = {
  key: 'SELECT 1 AS found FROM journal_event WHERE workspace_id = ? AND idempotency_key = ?',
  wsHead: 'SELECT workspace_seq AS seq, hash FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq DESC LIMIT 1',
  streamHead: 'SELECT stream_seq AS seq, workspace_id FROM journal_event WHERE stream_type = ? AND stream_id = ? ORDER BY stream_seq DESC LIMIT 1',
  insertEvent: `INSERT INTO journal_event (position, workspace_id, workspace_seq, stream_type, stream_id, stream_seq, type, payload,
      idempotency_key, recorded_at, prev_hash, hash, thread_id, hash_version) VALUES (?, ?, ?, 'turn', ?, ?, ?, ?, ?, ?, ?, ?, ?, 2)`,
  thread: 'SELECT workspace_id FROM thread WHERE thread_id = ?',
  threadSeq: 'SELECT max(thread_seq) AS seq FROM turn WHERE thread_id = ?',
  insertTurn: `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, sandbox_policy, model, error, usage, item_count,
      open_recoveries, last_seq, started_at, updated_at, completed_at) VALUES (?, ?, ?, ?, 'running', NULL, NULL, NULL, NULL, 0, 0, ?, ?, ?, NULL)`,
  insertInput: `INSERT INTO turn_input (turn_id, ordinal, kind, text, attachment_id, name, mime_type) VALUES (?, ?, 'text', ?, NULL, NULL, NULL)`,
  statusChange: 'INSERT INTO turn_status_change (turn_id, seq, from_status, to_status, reason, changed_at) VALUES (?, ?, ?, ?, NULL, ?)',
  timeline: `INSERT INTO turn_timeline_entry (turn_id, seq, workspace_seq, type, item_id, attempt, status, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  search: 'INSERT INTO turn_search (body, workspace_id, thread_id, turn_id, item_id, at) VALUES (?, ?, ?, ?, ?, ?)',
  touch: `UPDATE thread SET last_activity_at = ?, updated_at = CASE WHEN updated_at < ? THEN ? ELSE updated_at END
      WHERE thread_id = ? AND last_activity_at < ?`,
  turn: 'SELECT status, item_count FROM turn WHERE turn_id = ?',
  insertItem: `INSERT INTO turn_item (turn_id, item_id, workspace_id, thread_id, ordinal, item_type, status, attempt, text, payload, error,
      reason, timeout_ms, started_at, updated_at, completed_at, timed_out_at, retry_due_at)
      VALUES (?, ?, ?, ?, ?, ?, 'in_progress', 1, NULL, ?, NULL, NULL, NULL, ?, ?, NULL, NULL, NULL)`,
  insertAttempt: `INSERT INTO turn_item_attempt (turn_id, item_id, attempt, status, started_at, ended_at, reason) VALUES (?, ?, 1, 'running', ?, NULL, NULL)`,
  countItem: 'UPDATE turn SET item_count = item_count + 1, last_seq = ?, updated_at = ? WHERE turn_id = ?',
  appendText: `UPDATE turn_item SET text = coalesce(text, '') || ?, updated_at = ? WHERE turn_id = ? AND item_id = ? AND status = 'in_progress'`,
  setPayload: `UPDATE turn_item SET payload = ?, updated_at = ? WHERE turn_id = ? AND item_id = ? AND status = 'in_progress'`,
  bump: 'UPDATE turn SET last_seq = ?, updated_at = ? WHERE turn_id = ?',
  item: 'SELECT item_type, text, payload, attempt FROM turn_item WHERE turn_id = ? AND item_id = ?',
  closeItem: `UPDATE turn_item SET status = ?, text = ?, payload = ?, error = NULL, reason = NULL, completed_at = ?, updated_at = ?,
      retry_due_at = NULL WHERE turn_id = ? AND item_id = ?`,
  // `status || ''` as the product writes it: a primary-key seek, not the status index, on both databases.
  closeAttempts: `UPDATE turn_item_attempt SET status = ?, ended_at = ?, reason = NULL WHERE turn_id = ? AND item_id = ? AND status || '' = 'running'`,
  openItems: `SELECT count(*) AS n FROM turn_item WHERE turn_id = ? AND status = 'in_progress'`,
  endTurn: `UPDATE turn SET status = 'completed', error = NULL, usage = ?, open_recoveries = 0, completed_at = ?, last_seq = ?, updated_at = ?
      WHERE turn_id = ?`,
} as const;

type Name = keyof typeof SQL | 'nextPosition';
/** One statement the writer wants run: `get` answers the first row (or undefined), `run` the change count. */
type Op = { get: Name; params: unknown[] } | { run: Name; params: unknown[] };
type Writer = Generator<Op, void, unknown>;

const get = (name: Name, ...params: unknown[]): Op => ({ get: name, params });
const run = (name: Name, ...params: unknown[]): Op => ({ run: name, params });

function fail(why: string): never {
  throw new Error(why);
}

/** One event's statements, inside the caller's transaction, as a generator of statements. */
function* writeEvent(e: BenchEvent, at: string, journalOnly: boolean): Writer {
  // The product's rows hold the key's digest, never the key: so do these.
  const key = idempotencyDigest(e.key);
  if (yield get('key', BENCH_WS, key)) fail('duplicate key');
  const payloadText = canonicalJson(e.event);
  // An empty SQLite journal has no last row: its first position is 1.
  const position = ((yield get('nextPosition')) as { next_position: number } | undefined)?.next_position ?? 1;
  const head = (yield get('wsHead', BENCH_WS)) as { seq: number; hash: string } | undefined;
  const stream = (yield get('streamHead', 'turn', e.turnId)) as { seq: number; workspace_id: string } | undefined;
  if (stream && stream.workspace_id !== BENCH_WS) fail('stream of another workspace');
  const f = {
    position,
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
  yield run('insertEvent', f.position, BENCH_WS, f.workspaceSeq, e.turnId, f.streamSeq, f.type, payloadText, key, at, f.prevHash, hashEvent(f), e.threadId);
  if (!journalOnly) yield* project(e, at, f.streamSeq, f.workspaceSeq);
}

function* project(e: BenchEvent, at: string, seq: number, wsSeq: number): Writer {
  const ev = e.event;
  switch (ev.type) {
    case 'turn.started': {
      if (((yield get('thread', e.threadId)) as { workspace_id: string } | undefined)?.workspace_id !== BENCH_WS) fail('thread');
      const threadSeq = (((yield get('threadSeq', e.threadId)) as { seq: number | null }).seq ?? 0) + 1;
      yield run('insertTurn', e.turnId, BENCH_WS, e.threadId, threadSeq, seq, at, at);
      const texts: string[] = [];
      for (const [i, part] of ev.input.entries()) {
        if (part.type !== 'text') fail('attachment');
        yield run('insertInput', e.turnId, i + 1, part.text);
        texts.push(part.text);
      }
      yield run('statusChange', e.turnId, seq, null, 'running', at);
      yield run('timeline', e.turnId, seq, wsSeq, ev.type, null, null, 'running', JSON.stringify({ parts: ev.input.length }), at);
      yield run('search', texts.join('\n'), BENCH_WS, e.threadId, e.turnId, null, at);
      yield run('touch', at, at, at, e.threadId, at);
      return;
    }
    case 'item.started': {
      const turn = (yield get('turn', e.turnId)) as { status: string; item_count: number } | undefined;
      if (turn?.status !== 'running') fail('turn not running');
      const payload = ev.payload === undefined ? null : JSON.stringify(ev.payload);
      yield run('insertItem', e.turnId, ev.item_id, BENCH_WS, e.threadId, turn.item_count + 1, ev.item_type, payload, at, at);
      yield run('insertAttempt', e.turnId, ev.item_id, at);
      yield run('countItem', seq, at, e.turnId);
      yield run('timeline', e.turnId, seq, wsSeq, ev.type, ev.item_id, 1, 'in_progress', JSON.stringify({ item_type: ev.item_type }), at);
      return;
    }
    case 'item.agent_message.delta':
      if ((yield run('appendText', ev.delta, at, e.turnId, ev.item_id)) !== 1) fail('delta');
      yield run('bump', seq, at, e.turnId);
      return;
    case 'item.updated':
      if ((yield run('setPayload', JSON.stringify(ev.payload), at, e.turnId, ev.item_id)) !== 1) fail('update');
      yield run('bump', seq, at, e.turnId);
      return;
    case 'item.completed': {
      const item = (yield get('item', e.turnId, ev.item_id)) as { item_type: string; text: string | null; payload: string | null; attempt: number };
      const text = ev.text ?? item.text;
      const payload = ev.payload === undefined ? item.payload : JSON.stringify(ev.payload);
      yield run('closeItem', ev.status, text, payload, at, at, e.turnId, ev.item_id);
      yield run('closeAttempts', ev.status, at, e.turnId, ev.item_id);
      const parts = text ? [text] : [];
      if (item.item_type !== 'agent_message' && item.item_type !== 'reasoning' && payload) {
        for (const v of Object.values(JSON.parse(payload) as Record<string, unknown>)) if (typeof v === 'string') parts.push(v);
      }
      if (parts.length > 0) yield run('search', parts.join('\n'), BENCH_WS, e.threadId, e.turnId, ev.item_id, at);
      yield run('bump', seq, at, e.turnId);
      yield run('timeline', e.turnId, seq, wsSeq, ev.type, ev.item_id, item.attempt, ev.status, null, at);
      return;
    }
    case 'turn.completed':
      if (((yield get('openItems', e.turnId)) as { n: number }).n > 0) fail('open items');
      yield run('endTurn', ev.usage ? JSON.stringify(ev.usage) : null, at, seq, at, e.turnId);
      yield run('statusChange', e.turnId, seq, 'running', 'completed', at);
      yield run('timeline', e.turnId, seq, wsSeq, ev.type, null, null, 'completed', null, at);
      yield run('touch', at, at, at, e.threadId, at);
      return;
    default:
      fail(`baseline does not write ${ev.type}`);
  }
}

/**
 * The same rows, written by hand on better-sqlite3. With `journalOnly`, only the journal row
 * (same key check, heads, canonical JSON and hash chain; no read model, no search, no thread
 * activity): the floor of what an event costs here before anything is projected.
 */
export async function openHandWritten(path: string, options: { threads: number; journalOnly?: boolean }): Promise<HandWritten> {
  const journalOnly = options.journalOnly ?? false;
  const ds = await openSqliteDatabase({ path });
  await runMigrations(ds, gatewayMigrations);
  const db = nativeHandle(ds);
  await seedBench((sql, params = []) => db.prepare(sql).run(...params), options.threads);
  // Under the file's one write lock the next position is the last one + 1, as the product's SQLite dialect reads it.
  const statements = new Map(
    Object.entries({ ...SQL, nextPosition: 'SELECT position + 1 AS next_position FROM journal_event ORDER BY position DESC LIMIT 1' }).map(([name, sql]) => [name, db.prepare(sql)]),
  );
  const clock = benchClock();
  const drive = (writer: Writer): void => {
    let step = writer.next();
    while (!step.done) {
      const op = step.value;
      step = 'get' in op ? writer.next(statements.get(op.get)!.get(...op.params)) : writer.next(statements.get(op.run)!.run(...op.params).changes);
    }
  };
  return {
    /** The events in ONE transaction (BEGIN IMMEDIATE .. COMMIT), all or nothing. */
    append(events) {
      db.exec('BEGIN IMMEDIATE');
      try {
        for (const e of events) drive(writeEvent(e, clock().toISOString(), journalOnly));
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        throw error;
      }
    },
    close: () => ds.destroy(),
  };
}

/**
 * The same rows on PostgreSQL, by hand: per append one pooled connection, BEGIN (READ
 * COMMITTED), the workspace's lock as the product's PostgreSQL dialect takes it (`lockSql`),
 * the statements (named prepared statements), COMMIT. Positions come from the journal's
 * sequence, as the product's do.
 */
export async function openHandWrittenPostgres(url: string, options: { threads: number; lockSql: string; journalOnly?: boolean }): Promise<HandWritten> {
  const journalOnly = options.journalOnly ?? false;
  const ds = await openPostgresDatabase({ url });
  await runMigrations(ds, gatewayMigrations);
  await withPostgresSession(ds, (s) => seedBench((sql, params) => s.run(sql, params), options.threads));
  const sql: Record<Name, string> = { ...SQL, nextPosition: `SELECT nextval('journal_event_position_seq') AS next_position` };
  const clock = benchClock();
  const drive = async (q: PostgresStatements, writer: Writer): Promise<void> => {
    let step = writer.next();
    while (!step.done) {
      const op = step.value;
      step = 'get' in op ? writer.next(await q.get(sql[op.get], op.params)) : writer.next((await q.run(sql[op.run], op.params)).changes);
    }
  };
  return {
    append: (events) =>
      withPostgresSession(ds, async (q) => {
        await q.exec('BEGIN');
        try {
          await q.get(options.lockSql, [BENCH_WS]);
          for (const e of events) await drive(q, writeEvent(e, clock().toISOString(), journalOnly));
          await q.exec('COMMIT');
        } catch (error) {
          await q.exec('ROLLBACK');
          throw error;
        }
      }),
    dataSource: ds,
    close: () => ds.destroy(),
  };
}

/** Every table both sides write; `sameRows` compares them row for row. */
const WRITTEN_TABLES = ['turn', 'turn_input', 'turn_status_change', 'turn_item', 'turn_item_attempt', 'turn_timeline_entry', 'turn_search', 'journal_event'];

/** Whether two PostgreSQL databases hold identical rows in every written table (turn_search without its generated id). */
export async function sameRowsPostgres(a: DataSource, b: DataSource): Promise<boolean> {
  for (const table of WRITTEN_TABLES) {
    const columns = table === 'turn_search' ? 'body, workspace_id, thread_id, turn_id, item_id, at' : '*';
    const sql = `SELECT ${columns} FROM "${table}"`;
    const [ra, rb] = [await a.query(sql), await b.query(sql)];
    const canon = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
    if (JSON.stringify(canon(ra)) !== JSON.stringify(canon(rb))) {
      console.error(`rows differ in ${table}: ${ra.length} vs ${rb.length}`);
      return false;
    }
  }
  return true;
}

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
