// turn-append-concurrent: 64 concurrent appenders (each a runtime streaming its own turns,
// awaiting each append before the next, as `turn/event/append` callers do) through one
// CrudStore. The write coordinator commits whatever is queued together (group commit; no
// savepoints unless a job of the group fails), so a commit's cost is shared. Baseline, measured in the same process on
// the same file in alternating phases: the same store with one appender, i.e. one event per
// transaction. `ratio` = concurrent / sequential events per second (target >= 2); latency is
// per append, queueing included. For context: LangGraph's SqliteSaver with 64 concurrent
// callers (put + putWrites of the event; it has no group commit: every call is its own commit).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { report, round, summarize, type Measurement } from '@cairn/tooling/bench';
import { openCrudStore, type CrudStore } from '../src/index.js';
import { turnEvents, type BenchEvent } from './turn-bench-workload.js';

const APPENDERS = 64;
const PHASES = 3;
const SEQUENTIAL_EVENTS = 3_000;
const EVENTS_PER_APPENDER = 60;
const MAX_PHASE_MS = 15_000;
const THREADS = 16;
const WS = 'ws_bench';

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-turn-concurrent-'));

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
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
