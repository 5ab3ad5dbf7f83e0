// turn-append-concurrent: 64 concurrent appenders (each a runtime streaming its own turns,
// awaiting each append before the next, as `turn/event/append` callers do) through one
// CrudStore. The write coordinator commits whatever is queued together (group commit; no
// savepoints unless a job of the group fails), so a commit's cost is shared. Baseline, measured in the same process on
// the same file in alternating phases: the same store with one appender, i.e. one event per
// transaction. `ratio` = concurrent / sequential events per second (target >= 2); latency is
// per append, queueing included. For context: LangGraph's SqliteSaver with 64 concurrent
// callers (put + putWrites of the event; it has no group commit: every call is its own commit).
//
// PostgreSQL (postgres-bench.ts: a real server, synchronous_commit=off): "gateway processes",
// each a child process with a CrudStore on the one database as a gateway opens it
// (fixtures/postgres-appender.ts), 64 appenders each, appends spread over 8 workspaces (no
// two workspaces share a lock). One process alone, then two at once, alternating; start-up is
// not timed (every child opens its store, then all start together). `postgres_two_vs_one` =
// events/s of two processes over one.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { report, round, summarize, type Measurement } from '@cairn/tooling/bench';
import { onLines, spawnTs } from '@cairn/tooling/child';
import { openCrudStore, openPostgresCrudStore, type CrudStore } from '../src/index.js';
import { withBenchPostgres } from './postgres-bench.js';
import { turnEvents, type BenchEvent } from './turn-bench-workload.js';

const APPENDERS = 64;
const PHASES = 3;
const SEQUENTIAL_EVENTS = 3_000;
const EVENTS_PER_APPENDER = 60;
const MAX_PHASE_MS = 15_000;
const THREADS = 16;
const WS = 'ws_bench';

const PG_WORKSPACES = 8;
const PG_THREADS_PER_WORKSPACE = 2;
const PG_EVENTS_PER_APPENDER = 40;
const PG_PHASES = 2;
const PG_MAX_MS = 15_000;

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-concurrent-'));

/** One timed phase with `processes` appender children on `url`; resolves their total events and the phase's wall time. */
async function postgresPhase(url: string, processes: number, tag: string): Promise<{ events: number; elapsed_ms: number; p99_ms: number }> {
  const script = join(import.meta.dirname, 'fixtures', 'postgres-appender.ts');
  const children = Array.from({ length: processes }, (_, p) =>
    spawnTs(script, [url, join(dir, 'archive'), `${tag}_p${p}`, String(APPENDERS), String(PG_EVENTS_PER_APPENDER), String(PG_MAX_MS), String(PG_WORKSPACES), String(PG_THREADS_PER_WORKSPACE)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  const lines = children.map((child) => {
    const out: string[] = [];
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => (ready = resolve));
    onLines(child.stdout!, (line) => {
      if (line === 'ready') ready();
      else out.push(line);
    });
    const done = new Promise<number | null>((resolve) => child.once('close', resolve));
    return { out, isReady, done };
  });
  await Promise.all(lines.map((l) => l.isReady));
  const start = performance.now();
  for (const child of children) child.stdin!.end('go\n');
  const codes = await Promise.all(lines.map((l) => l.done));
  const elapsed = performance.now() - start;
  if (codes.some((c) => c !== 0)) throw new Error(`an appender process failed (exit codes ${codes.join(', ')})`);
  const results = lines.map((l) => JSON.parse(l.out.at(-1)!) as { count: number; elapsed_ms: number; p99_ms: number });
  // Wall time from "go" to the last process's end, less the exit (its own measurement is the upper bound of its run).
  const wall = Math.min(elapsed, Math.max(...results.map((r) => r.elapsed_ms)));
  return { events: results.reduce((n, r) => n + r.count, 0), elapsed_ms: wall, p99_ms: Math.max(...results.map((r) => r.p99_ms)) };
}

/** One process against two on one PostgreSQL database, alternating phases. */
async function postgresSide(): Promise<Record<string, unknown>> {
  return withBenchPostgres('postgres_two_vs_one', async (server) => {
    const url = server.createDatabase('concurrent');
    const seed = await openPostgresCrudStore({ url, archiveDir: join(dir, 'archive') });
    for (let w = 0; w < PG_WORKSPACES; w++) {
      await seed.workspaces.create({ workspace_id: `ws_bench_${w}`, name: `Bench ${w}` });
      for (let t = 0; t < PG_THREADS_PER_WORKSPACE; t++) await seed.threads.start({ workspace_id: `ws_bench_${w}`, thread_id: `thread_${w}_${t}` });
    }
    await seed.close();
    await postgresPhase(url, 1, 'warm');
    const one: Array<{ events: number; elapsed_ms: number; p99_ms: number }> = [];
    const two: Array<{ events: number; elapsed_ms: number; p99_ms: number }> = [];
    for (let phase = 0; phase < PG_PHASES; phase++) {
      one.push(await postgresPhase(url, 1, `one${phase}`));
      two.push(await postgresPhase(url, 2, `two${phase}`));
      console.log(`postgres phase ${phase + 1}: one process ${one[phase]!.events} events in ${round(one[phase]!.elapsed_ms)} ms; two processes ${two[phase]!.events} in ${round(two[phase]!.elapsed_ms)} ms`);
    }
    const rate = (runs: typeof one) => round((runs.reduce((n, r) => n + r.events, 0) / runs.reduce((n, r) => n + r.elapsed_ms, 0)) * 1000);
    const [r1, r2] = [rate(one), rate(two)];
    return {
      postgres_two_vs_one: round(r2 / r1, 3),
      postgres_one_process_events_per_s: r1,
      postgres_two_processes_events_per_s: r2,
      postgres_two_processes_p99_ms: Math.max(...two.map((r) => r.p99_ms)),
      postgres_workspaces: PG_WORKSPACES,
      postgres_appenders_per_process: APPENDERS,
    };
  });
}

/** An endless per-appender stream of turns (fresh turn ids per phase). */
function stream(appender: number, phase: string): () => BenchEvent {
  let turn = 0;
  let queue: BenchEvent[] = [];
  return () => {
    if (queue.length === 0) queue = turnEvents(`thread_${appender % THREADS}`, `${phase}_a${appender}_t${turn++}`);
    return queue.shift()!;
  };
}

const append = (store: CrudStore, e: BenchEvent) =>
  store.turns.appendEvent({ workspace_id: WS, thread_id: e.threadId, turn_id: e.turnId, idempotency_key: e.key, event: e.event });

async function sequential(store: CrudStore, phase: number) {
  const next = stream(0, `s${phase}`);
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < SEQUENTIAL_EVENTS && performance.now() - start < MAX_PHASE_MS; i++) {
    const t = performance.now();
    await append(store, next());
    latencies.push(performance.now() - t);
  }
  return { latencies, elapsed: performance.now() - start };
}

async function concurrent(step: (appender: number, next: () => BenchEvent) => Promise<unknown>, phase: string) {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: APPENDERS }, async (_, a) => {
      const next = stream(a, phase);
      for (let i = 0; i < EVENTS_PER_APPENDER && performance.now() - start < MAX_PHASE_MS; i++) {
        const t = performance.now();
        await step(a, next);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, elapsed: performance.now() - start };
}

function total(runs: Array<{ latencies: number[]; elapsed: number }>): Measurement {
  return summarize(
    runs.flatMap((r) => r.latencies),
    runs.reduce((sum, r) => sum + r.elapsed, 0),
  );
}

try {
  const store = await openCrudStore({ path: join(dir, 'gateway.db') });
  await store.workspaces.create({ workspace_id: WS, name: 'Bench' });
  for (let t = 0; t < THREADS; t++) await store.threads.start({ workspace_id: WS, thread_id: `thread_${t}` });
  await sequential(store, -1); // warmup
  const seq: Array<{ latencies: number[]; elapsed: number }> = [];
  const con: Array<{ latencies: number[]; elapsed: number }> = [];
  for (let phase = 0; phase < PHASES; phase++) {
    const commitsBefore = store.sqlite.coordinator.stats.commits;
    con.push(await concurrent((_a, next) => append(store, next()), `c${phase}`));
    const commits = store.sqlite.coordinator.stats.commits - commitsBefore;
    seq.push(await sequential(store, phase));
    console.log(`phase ${phase + 1}: concurrent ${con[phase]!.latencies.length} events in ${commits} commits; sequential ${seq[phase]!.latencies.length} events`);
  }
  await store.close();

  const saver = SqliteSaver.fromConnString(join(dir, 'langgraph.db'));
  // Creates its tables now, outside the timed steps (protected in the typings; `put` would call it lazily).
  (saver as unknown as { setup(): void }).setup();
  const previous = new Map<number, string>();
  let ids = 0;
  const lg = await concurrent(async (a, next) => {
    const e = next();
    const id = `1ef${(ids++).toString(16).padStart(13, '0')}`;
    const payload = { ...e.event, thread_id: e.threadId };
    const config = { configurable: { thread_id: `a${a}`, checkpoint_ns: '', ...(previous.has(a) ? { checkpoint_id: previous.get(a) } : {}) } };
    if (previous.has(a)) await saver.putWrites(config as never, [['events', payload]], `task_${id}`);
    const checkpoint = { v: 4, id, ts: new Date().toISOString(), channel_values: { events: [payload] }, channel_versions: { events: ids }, versions_seen: {} };
    await saver.put(config, checkpoint as never, { source: 'loop', step: ids, parents: {} } as never);
    previous.set(a, id);
  }, 'lg');
  (saver as unknown as { db: { close(): void } }).db.close();

  const s = total(seq);
  const c = total(con);
  const l = total([lg]);
  const postgres = await postgresSide();
  console.log(`sequential  ${JSON.stringify(s)}`);
  console.log(`concurrent  ${JSON.stringify(c)}`);
  console.log(`langgraph64 ${JSON.stringify(l)}`);
  report({
    bench: 'turn-append-concurrent',
    ratio: round(c.per_s / s.per_s, 3),
    appenders: APPENDERS,
    events_per_s: c.per_s,
    p50_ms: c.p50_ms,
    p99_ms: c.p99_ms,
    sequential_events_per_s: s.per_s,
    sequential_p99_ms: s.p99_ms,
    langgraph_64_steps_per_s: l.per_s,
    langgraph_64_p99_ms: l.p99_ms,
    vs_langgraph_64: round(c.per_s / l.per_s, 3),
    events: c.count,
    ...postgres,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
