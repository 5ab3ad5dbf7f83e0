// turn-append-batch: one agent step, 8 turn events (a message streamed in 7 deltas of a few
// tokens each, then its `item.completed`), appended in ONE `store.turns.appendEvents` call:
// params validated, each event redacted, decided, RFC 8785 + hash chain, journal row, its key
// held unique, read models, the item's FTS5 document; one coordinator job = one
// BEGIN IMMEDIATE..COMMIT. A runtime flushing its deltas every few milliseconds sends this.
// Every turn and its 8 message items are started beforehand (untimed; the same on every side).
//
// Against, same process, interleaved chunks (the order rotating per chunk, so the shared box's
// load hits every side alike), each bounded in steps and time:
//  - `langgraph`: LangGraph's SQLite checkpointer (`@langchain/langgraph-checkpoint-sqlite`,
//    bench-only devDependency, its defaults: WAL, synchronous=NORMAL as ours), one step =
//    `putWrites` of the same 8 payloads (the bytes we journal) + `put` of a checkpoint whose
//    state is the step's events. `ratio` = our steps/s over its steps/s.
//  - `langgraph_turn`: the same, the checkpoint holding the turn so far (what an agent's
//    checkpointed state holds; more bytes per step).
//  - `baseline`: the same rows as ours written by hand on prepared statements
//    (turn-bench-baseline.ts), one transaction per step: the floor of this write volume here.
//  - `ours_single`: the step as 8 `store.turns.appendEvent` calls (8 transactions).
// All three of our files (batch, single, hand-written) are checked to hold identical rows.
//
// PostgreSQL (postgres-bench.ts: a real server, synchronous_commit=off), the same step on one
// server: `pg_ours_batch` (`openPostgresCrudStore`, one appendEvents call = one transaction)
// against LangGraph's PostgresSaver (`@langchain/langgraph-checkpoint-postgres`, bench-only,
// its own pool and tables in another database of the same server; `putWrites` + `put` per
// step as above) and the hand-written rows on `@cairn/postgres` (`pg_baseline`).
// `postgres_vs_langgraph` = our steps/s over PostgresSaver's.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import type { TurnEventEntry, TurnEventPayload } from '@cairn/protocol';
import { race, report, round } from '@cairn/tooling/bench';
import { openCrudStore, openPostgresCrudStore } from '../src/index.js';
import { WORKSPACE_LOCK_SQL, withBenchPostgres } from './postgres-bench.js';
import { BENCH_WS as WS, openHandWritten, openHandWrittenPostgres, sameRowsPostgres, sameRows, seedBench } from './turn-bench-baseline.js';
import { benchClock, type BenchEvent } from './turn-bench-workload.js';

const STEPS = 4_000;
const WARMUP = 400;
const CHUNK = 100;
const MAX_MS = 15_000;
const THREADS = 4;
/** Message items per turn: one step each. */
const ITEMS = 8;
const PG_STEPS = 1_500;
const PG_WARMUP = 200;
const PG_CHUNK = 50;
const PG_MAX_MS = 15_000;

// A few tokens per delta (6-53 bytes of text), as a runtime flushing every few ms sends them.
const DELTAS = [
  'The failing assertion is in ',
  '`parseHeader`: it expects ',
  'a trailing newline that the ',
  'fixture no longer has. ',
  'A two-line patch makes the parser accept both forms, ',
  'and the flaky test passes 200 times in a row.',
  ' Done.',
];

const turnOf = (turn: number) => ({ turnId: `turn_${turn}`, threadId: `thread_${turn % THREADS}` });

/** Step `i`: message item `m<i % 8>` of turn `i / 8`, streamed and completed. */
function makeStep(i: number): BenchEvent[] {
  const { turnId, threadId } = turnOf(Math.floor(i / ITEMS));
  const itemId = `m${i % ITEMS}`;
  const events: TurnEventPayload[] = [
    ...DELTAS.map((delta): TurnEventPayload => ({ type: 'item.agent_message.delta', item_id: itemId, delta })),
    { type: 'item.completed', item_id: itemId, status: 'completed' },
  ];
  return events.map((event, k) => ({ threadId, turnId, key: `${turnId}:${itemId}:${k}`, event }));
}

/** Turn `turn` started with its 8 message items: what every side writes before the timed steps. */
function turnSetup(turn: number): BenchEvent[] {
  const { turnId, threadId } = turnOf(turn);
  const start: TurnEventPayload = { type: 'turn.started', input: [{ type: 'text', text: `Fix the flaky parser test, part ${turn}.` }] };
  const items = Array.from({ length: ITEMS }, (_, j): TurnEventPayload => ({ type: 'item.started', item_id: `m${j}`, item_type: 'agent_message' }));
  return [start, ...items].map((event, k) => ({ threadId, turnId, key: `${turnId}:setup:${k}`, event }));
}

const steps = Array.from({ length: WARMUP + STEPS }, (_, i) => makeStep(i));
const turns = Math.ceil(steps.length / ITEMS);
const setup = Array.from({ length: turns }, (_, t) => turnSetup(t));
const entry = (e: BenchEvent): TurnEventEntry => ({ thread_id: e.threadId, turn_id: e.turnId, idempotency_key: e.key, event: e.event });
const dirs: string[] = [];
const tempDb = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-batch-'));
  dirs.push(dir);
  return join(dir, 'gateway.db');
};

interface Side {
  name: string;
  step(s: BenchEvent[], i: number): unknown;
  close(): Promise<void>;
}


async function ours(path: string, mode: 'batch' | 'single'): Promise<Side> {
  const store = await openCrudStore({ path, clock: benchClock() });
  await store.context.write((ctx) => seedBench((sql, params) => ctx.run(sql, params), THREADS));
  const all = setup.flat();
  for (let from = 0; from < all.length; from += 256) await store.turns.appendEvents({ workspace_id: WS, events: all.slice(from, from + 256).map(entry) });
  if (mode === 'batch') return { name: 'ours_batch', step: (s) => store.turns.appendEvents({ workspace_id: WS, events: s.map(entry) }), close: () => store.close() };
  return {
    name: 'ours_single',
    async step(s) {
      for (const e of s) await store.turns.appendEvent({ workspace_id: WS, ...entry(e) });
    },
    close: () => store.close(),
  };
}

async function baseline(path: string): Promise<Side> {
  const hand = await openHandWritten(path, { threads: THREADS });
  const all = setup.flat();
  for (let from = 0; from < all.length; from += 256) await hand.append(all.slice(from, from + 256));
  return { name: 'baseline', step: (s) => hand.append(s), close: () => hand.close() };
}

/** The two LangGraph checkpointers the bench runs: SQLite on a file, PostgreSQL on a database of the bench's server. */
type Saver = {
  put(config: Parameters<SqliteSaver['put']>[0], checkpoint: never, metadata: never, versions: Record<string, number>): Promise<unknown>;
  putWrites: SqliteSaver['putWrites'];
  close(): Promise<void>;
};

async function sqliteSaver(path: string): Promise<Saver> {
  const saver = SqliteSaver.fromConnString(path);
  // Creates its tables now, outside the timed steps (protected in the typings; `put` would call it lazily).
  (saver as unknown as { setup(): void }).setup();
  return { put: (c, cp, m) => saver.put(c, cp, m), putWrites: (...a) => saver.putWrites(...a), close: async () => (saver as unknown as { db: { close(): void } }).db.close() };
}

async function postgresSaver(url: string): Promise<Saver> {
  const saver = PostgresSaver.fromConnString(url);
  await saver.setup();
  return { put: (c, cp, m, v) => saver.put(c, cp, m, v), putWrites: (...a) => saver.putWrites(...a), close: () => saver.end() };
}

/** LangGraph: per step, `putWrites` of the 8 payloads on the turn's last checkpoint, then `put` of the next one. */
async function langgraph(saver: Saver, state: 'step' | 'turn', prefix = ''): Promise<Side> {
  const previous = new Map<string, string>();
  const history = new Map<string, unknown[]>();
  // Every turn's first checkpoint (its input and items), untimed, as our sides start every turn first.
  for (let turn = 0; turn < turns; turn++) {
    const { turnId, threadId } = turnOf(turn);
    const id = `0ef${turn.toString(16).padStart(13, '0')}`;
    const events = setup[turn]!.map((e) => ({ ...e.event, thread_id: threadId }));
    history.set(turnId, events);
    const checkpoint = { v: 4, id, ts: new Date(Date.UTC(2024, 11, 31) + turn).toISOString(), channel_values: { events }, channel_versions: { events: 0 }, versions_seen: {} };
    await saver.put({ configurable: { thread_id: turnId, checkpoint_ns: '' } }, checkpoint as never, { source: 'input', step: -1, parents: {} } as never, {});
    previous.set(turnId, id);
  }
  return {
    name: `${prefix}${state === 'step' ? 'langgraph' : 'langgraph_turn'}`,
    async step(s, i) {
      const { turnId } = s[0]!;
      const id = `1ef${i.toString(16).padStart(13, '0')}`;
      const payloads = s.map((e) => ({ ...e.event, thread_id: e.threadId }));
      const config = { configurable: { thread_id: turnId, checkpoint_ns: '', checkpoint_id: previous.get(turnId) } };
      let values: unknown[] = payloads;
      if (state === 'turn') {
        values = history.get(turnId)!;
        values.push(...payloads);
      }
      const checkpoint = {
        v: 4,
        id,
        ts: new Date(Date.UTC(2025, 0, 1) + i).toISOString(),
        channel_values: { events: values },
        channel_versions: { events: i + 1 },
        versions_seen: { agent: { events: i } },
      };
      await saver.putWrites(config as never, payloads.map((p) => ['events', p] as [string, unknown]), `task_${i}`);
      await saver.put(config, checkpoint as never, { source: 'loop', step: i, parents: {} } as never, { events: i + 1 });
      previous.set(turnId, id);
    },
    close: () => saver.close(),
  };
}

/**
 * The step on PostgreSQL: ours (batched), PostgresSaver and the hand-written rows, raced on
 * the bench's server; ours and the hand-written database are compared row for row.
 */
async function postgresSide(): Promise<Record<string, unknown>> {
  return withBenchPostgres('postgres_vs_langgraph', async (server) => {
    const pgSteps = steps.slice(0, PG_WARMUP + PG_STEPS);
    const pgSetup = setup.slice(0, Math.ceil(pgSteps.length / ITEMS)).flat();
    const archive = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-batch-archive-'));
    dirs.push(archive);
    const store = await openPostgresCrudStore({ url: server.createDatabase('ours'), clock: benchClock(), archiveDir: archive });
    await store.context.write((ctx) => seedBench((sql, params) => ctx.run(sql, params), THREADS));
    for (let from = 0; from < pgSetup.length; from += 256) await store.turns.appendEvents({ workspace_id: WS, events: pgSetup.slice(from, from + 256).map(entry) });
    const hand = await openHandWrittenPostgres(server.createDatabase('hand'), { threads: THREADS, lockSql: WORKSPACE_LOCK_SQL });
    for (let from = 0; from < pgSetup.length; from += 256) await hand.append(pgSetup.slice(from, from + 256));
    const saver = await postgresSaver(server.createDatabase('langgraph'));
    try {
      const results = await race(
        [
          { name: 'pg_ours_batch', step: (s: BenchEvent[]) => store.turns.appendEvents({ workspace_id: WS, events: s.map(entry) }), close: async () => undefined },
          { name: 'pg_baseline', step: (s: BenchEvent[]) => hand.append(s), close: async () => undefined },
          await langgraph(saver, 'step', 'pg_'),
        ],
        pgSteps,
        { warmup: PG_WARMUP, chunk: PG_CHUNK, maxMs: PG_MAX_MS },
      );
      for (const [name, m] of results) console.log(`${name.padEnd(15)} ${JSON.stringify(m)}`);
      const o = results.get('pg_ours_batch')!;
      const h = results.get('pg_baseline')!;
      const l = results.get('pg_langgraph')!;
      const identical = o.count === h.count ? await sameRowsPostgres(store.postgres!.dataSource, hand.dataSource!) : null;
      if (identical === false) throw new Error('batched and hand-written appends wrote different rows on PostgreSQL: the comparison is void');
      return {
        postgres_vs_langgraph: round(o.per_s / l.per_s, 3),
        postgres_steps_per_s: o.per_s,
        postgres_p50_ms: o.p50_ms,
        postgres_p99_ms: o.p99_ms,
        postgres_langgraph_steps_per_s: l.per_s,
        postgres_langgraph_p99_ms: l.p99_ms,
        postgres_vs_baseline: round(o.per_s / h.per_s, 3),
        postgres_baseline_steps_per_s: h.per_s,
        postgres_identical_rows: identical,
        postgres_steps: o.count,
      };
    } finally {
      await store.close();
      await hand.close();
    }
  });
}

try {
  const [pb, ps, ph] = [tempDb(), tempDb(), tempDb()];
  const results = await race([await ours(pb, 'batch'), await ours(ps, 'single'), await baseline(ph), await langgraph(await sqliteSaver(tempDb()), 'step'), await langgraph(await sqliteSaver(tempDb()), 'turn')], steps, {
    warmup: WARMUP,
    chunk: CHUNK,
    maxMs: MAX_MS,
  });
  for (const [name, m] of results) console.log(`${name.padEnd(15)} ${JSON.stringify(m)}`);
  const b = results.get('ours_batch')!;
  const s = results.get('ours_single')!;
  const h = results.get('baseline')!;
  const l = results.get('langgraph')!;
  const lt = results.get('langgraph_turn')!;
  // The files can match only if every side ran every step (the time bound may cut one short).
  const complete = b.count === s.count && b.count === h.count;
  const identical = complete && (await sameRows(pb, ps)) && (await sameRows(pb, ph));
  if (complete && !identical) throw new Error('batched, single-event and hand-written appends wrote different rows: the comparison is void');
  const perStep = makeStep(0).length;
  const postgres = await postgresSide();
  report({
    bench: 'turn-append-batch',
    ratio: round(b.per_s / l.per_s, 3),
    events_per_step: perStep,
    step_payload_bytes: Buffer.byteLength(JSON.stringify(steps[WARMUP]!.map((e) => e.event)), 'utf8'),
    steps_per_s: b.per_s,
    events_per_s: round(b.per_s * perStep),
    p50_ms: b.p50_ms,
    p99_ms: b.p99_ms,
    langgraph_steps_per_s: l.per_s,
    langgraph_p50_ms: l.p50_ms,
    langgraph_p99_ms: l.p99_ms,
    vs_langgraph_turn_state: round(b.per_s / lt.per_s, 3),
    langgraph_turn_state_steps_per_s: lt.per_s,
    vs_baseline: round(b.per_s / h.per_s, 3),
    baseline_steps_per_s: h.per_s,
    baseline_vs_langgraph: round(h.per_s / l.per_s, 3),
    single_event_steps_per_s: s.per_s,
    single_event_events_per_s: round(s.per_s * perStep),
    single_event_vs_langgraph: round(s.per_s / l.per_s, 3),
    batch_vs_single: round(b.per_s / s.per_s, 3),
    identical_rows: identical,
    steps: b.count,
    ...postgres,
  });
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
