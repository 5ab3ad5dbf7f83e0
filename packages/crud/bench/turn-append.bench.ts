// turn-append: one turn event per transaction, appended and projected through
// `store.turns.appendEvent` (a batch of one through the event log: params validated, payload
// redacted once, projectors' decisions, RFC 8785 canonical JSON + SHA-256 chain link, journal
// row with its key held unique, read models, FTS5 document, thread activity; one coordinator
// job = one BEGIN IMMEDIATE..COMMIT).
//
// Baseline, same process, same file settings (WAL, synchronous=NORMAL): the same logical work
// written by hand (turn-bench-baseline.ts), one event per transaction. The bench checks that
// both files end up with identical rows. `ratio` = ours / baseline events per second.
//
// Also: LangGraph's SQLite checkpointer (`@langchain/langgraph-checkpoint-sqlite`, bench-only
// devDependency), one step = `putWrites` (one write of the event) + `put` (a checkpoint whose
// state is the event, or the turn so far), on its own defaults: WAL, and synchronous=NORMAL
// as ours (better-sqlite3's build default in WAL mode). `vs_langgraph` = our events/s / its
// steps/s. And `journal_only`: the baseline's journal row alone, nothing projected, which
// splits an event's cost into the journal and the read models the same transaction must write.
//
// PostgreSQL side (postgres-bench.ts: a real server, synchronous_commit=off): the CrudStore on
// PostgreSQL (`openPostgresCrudStore`: the same event log through the PostgreSQL port, READ
// COMMITTED, the workspace's lock, named prepared statements) against the same rows written by
// hand on `@cairn/postgres`'s statements (turn-bench-baseline.ts), one event per transaction,
// raced in the same process. `postgres_ratio` = ours / hand-written events per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { race, report, round } from '@cairn/tooling/bench';
import { openCrudStore, openPostgresCrudStore } from '../src/index.js';
import { WORKSPACE_LOCK_SQL, withBenchPostgres } from './postgres-bench.js';
import { BENCH_WS as WS, openHandWritten, openHandWrittenPostgres, sameRows, sameRowsPostgres, seedBench } from './turn-bench-baseline.js';
import { benchClock, workload, type BenchEvent } from './turn-bench-workload.js';

const EVENTS = 20_000;
const WARMUP = 2_000;
const THREADS = 4;
const CHUNK = 500;
const MAX_MS = 20_000;
const PG_EVENTS = 8_000;
const PG_WARMUP = 1_000;
const PG_CHUNK = 250;
const PG_MAX_MS = 15_000;

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


async function ours(path: string): Promise<Side> {
  const clock = benchClock();
  const store = await openCrudStore({ path, clock });
  await store.context.write((ctx) => seedBench((sql, params) => ctx.run(sql, params), THREADS));
  clock.reset();
  return {
    name: 'ours',
    step: (e) => store.turns.appendEvent({ workspace_id: WS, thread_id: e.threadId, turn_id: e.turnId, idempotency_key: e.key, event: e.event }),
    close: () => store.close(),
  };
}

/** The hand-written baseline (turn-bench-baseline.ts), one event per transaction. */
async function baseline(path: string, journalOnly = false): Promise<Side> {
  const hand = await openHandWritten(path, { threads: THREADS, journalOnly });
  return { name: journalOnly ? 'journal_only' : 'baseline', step: (e) => hand.append([e]), close: () => hand.close() };
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

/**
 * Ours and hand-written on PostgreSQL, one event per transaction each, raced on the bench's
 * server; their databases are compared row for row before anything is reported.
 */
async function postgresSide(): Promise<Record<string, unknown>> {
  return withBenchPostgres('postgres_ratio', async (server) => {
    const pgEvents = workload(PG_EVENTS + PG_WARMUP, THREADS);
    const clock = benchClock();
    const archive = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-append-archive-'));
    dirs.push(archive);
    const store = await openPostgresCrudStore({ url: server.createDatabase('ours'), clock, archiveDir: archive });
    await store.context.write((ctx) => seedBench((sql, params) => ctx.run(sql, params), THREADS));
    clock.reset();
    const hand = await openHandWrittenPostgres(server.createDatabase('hand'), { threads: THREADS, lockSql: WORKSPACE_LOCK_SQL });
    try {
      const results = await race(
        [
          { name: 'pg_ours', step: (e: BenchEvent) => store.turns.appendEvent({ workspace_id: WS, thread_id: e.threadId, turn_id: e.turnId, idempotency_key: e.key, event: e.event }), close: async () => undefined },
          { name: 'pg_baseline', step: (e: BenchEvent) => hand.append([e]), close: async () => undefined },
        ],
        pgEvents,
        { warmup: PG_WARMUP, chunk: PG_CHUNK, maxMs: PG_MAX_MS },
      );
      for (const [name, m] of results) console.log(`${name.padEnd(16)} ${JSON.stringify(m)}`);
      const o = results.get('pg_ours')!;
      const b = results.get('pg_baseline')!;
      const identical = o.count === b.count ? await sameRowsPostgres(store.postgres!.dataSource, hand.dataSource!) : null;
      if (identical === false) throw new Error('ours and the hand-written side wrote different rows on PostgreSQL: the comparison is void');
      return {
        postgres_ratio: round(o.per_s / b.per_s, 3),
        postgres_events_per_s: o.per_s,
        postgres_p50_ms: o.p50_ms,
        postgres_p99_ms: o.p99_ms,
        postgres_baseline_events_per_s: b.per_s,
        postgres_baseline_p99_ms: b.p99_ms,
        postgres_identical_rows: identical,
        postgres_events: o.count,
      };
    } finally {
      await store.close();
      await hand.close();
    }
  });
}

try {
  const [pa, pb] = [tempDb(), tempDb()];
  const results = await race([
    await ours(pa),
    await baseline(pb),
    await baseline(tempDb(), true),
    langgraph(tempDb(), 'event'),
    langgraph(tempDb(), 'turn'),
  ], events, { warmup: WARMUP, chunk: CHUNK, maxMs: MAX_MS });
  for (const [name, m] of results) console.log(`${name.padEnd(16)} ${JSON.stringify(m)}`);
  if (!(await sameRows(pa, pb))) throw new Error('ours and baseline wrote different rows: the comparison is void');
  const o = results.get('ours')!;
  const b = results.get('baseline')!;
  const lgEvent = results.get('langgraph_event')!;
  const lgTurn = results.get('langgraph_turn')!;
  const journalOnly = results.get('journal_only')!;
  const postgres = await postgresSide();
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
    ...postgres,
  });
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
