// ws-append: 8 external-runtime clients (settings `[agent] runtime = "external"`), each on its
// own WebSocket with its own workspace token and its own thread, streaming turns as batches of
// 8 events over `turn/event/append`, each batch awaited before the next (as a runtime flushing
// its buffer does). A turn is 32 events in 4 batches: turn.started, item.started (agent
// message), 28 deltas of a few tokens, item.completed, turn.completed; every event has its own
// idempotency key. The threads are created through the store, so no connection is subscribed
// and the hub sends nothing: this measures the request path (frame, parse, validate, access,
// the store's batch append, serialise the answer). The gateway runs in this process
// (`startGateway`, temp SQLite home, 127.0.0.1 port 0, no wake poll), so server and clients
// share the one event loop and the clients' own JSON and frame work is in the figures.
//
// Baseline, same process, same store (another workspace): the same batches through
// `store.turns.appendEvents` in 8 concurrent loops. Rounds alternate the order of the two
// sides; `ratio` = median over rounds of socket events/s / in-process events/s (target >= 0.6).
// `server_peak_rss_mb` is `process.memoryUsage.rss()` sampled every 10 ms during the socket
// phases: the server is in-process, so it is the whole process (server, clients, the store's
// SQLite cache), beside the same sampling during the store phases. `cpu_ratio` = store CPU per
// event / socket CPU per event (process user + system time over each side's phases).
import { performance } from 'node:perf_hooks';
import type { TurnEventEntry, TurnEventPayload } from '@cairn/protocol';
import { report, round } from '@cairn/tooling/bench';
import { BenchClient, collect, median, quantile, startBenchGateway, withCommits, withRssPeak } from './ws-bench-kit.js';

const CLIENTS = 8;
const BATCH = 8;
const ROUNDS = 6;
const TURNS_PER_CLIENT = 40;
const WARMUP_TURNS_PER_CLIENT = 8;
const MAX_ROUND_MS = 20_000;
const WS_GATEWAY = 'ws_bench_socket';
const WS_STORE = 'ws_bench_store';
const DELTAS = [
  'The failing assertion is in ',
  '`parseHeader`: it expects ',
  'a trailing newline that the ',
  'fixture no longer has. ',
  'A two-line patch makes the parser accept both forms, ',
  'and the flaky test passes 200 times in a row.',
  ' Done.',
];

/** Turn `turnId` of `threadId` as 4 batches of 8 entries. */
function turnBatches(threadId: string, turnId: string): TurnEventEntry[][] {
  const events: TurnEventPayload[] = [
    { type: 'turn.started', input: [{ type: 'text', text: `Fix the flaky parser test (${turnId}).` }] },
    { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' },
    ...Array.from({ length: 28 }, (_, d): TurnEventPayload => ({ type: 'item.agent_message.delta', item_id: 'msg_1', delta: DELTAS[d % DELTAS.length]! })),
    { type: 'item.completed', item_id: 'msg_1', status: 'completed' },
    { type: 'turn.completed', usage: { input_tokens: 12, output_tokens: 180 } },
  ];
  const entries = events.map((event, k): TurnEventEntry => ({ thread_id: threadId, turn_id: turnId, idempotency_key: `${turnId}:${k}`, event }));
  return Array.from({ length: entries.length / BATCH }, (_, b) => entries.slice(b * BATCH, (b + 1) * BATCH));
}

interface Phase {
  cpu_ms: number;
  commits: number;
  jobs: number;
  events: number;
  elapsed: number;
  latencies: number[];
}

async function loops(turnsEach: number, tag: string, threads: string[], append: (client: number, events: TurnEventEntry[]) => Promise<{ results: Array<{ outcome: string }> }>): Promise<Phase> {
  const phase: Phase = { cpu_ms: 0, commits: 0, jobs: 0, events: 0, elapsed: 0, latencies: [] };
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let t = 0; t < turnsEach && performance.now() - begin < MAX_ROUND_MS; t++) {
        for (const batch of turnBatches(threads[c]!, `turn_${tag}_${c}_${t}`)) {
          const t0 = performance.now();
          const { results } = await append(c, batch);
          phase.latencies.push(performance.now() - t0);
          if (results.length !== batch.length || results.some((r) => r.outcome !== 'applied')) throw new Error(`${tag}: a batch was not applied whole: ${JSON.stringify(results)}`);
          phase.events += batch.length;
        }
      }
    }),
  );
  phase.elapsed = performance.now() - begin;
  return phase;
}

function figures(phases: Phase[]) {
  const events = phases.reduce((n, p) => n + p.events, 0);
  const elapsed = phases.reduce((n, p) => n + p.elapsed, 0);
  const latencies = phases.flatMap((p) => p.latencies);
  const commits = phases.reduce((n, p) => n + p.commits, 0);
  return {
    jobs_per_commit: round(phases.reduce((n, p) => n + p.jobs, 0) / commits, 2),
    cpu_us_per_event: round((phases.reduce((n, p) => n + p.cpu_ms, 0) / events) * 1000, 1),
    events,
    events_per_s: round((events / elapsed) * 1000), batch_p50_ms: quantile(latencies, 0.5), batch_p99_ms: quantile(latencies, 0.99) };
}

const bench = await startBenchGateway('ws-append', { agent: { runtime: 'external' } });
const clients: BenchClient[] = [];
try {
  const { gateway } = bench;
  const store = gateway.runtime.store;
  await store.workspaces.create({ workspace_id: WS_GATEWAY, name: 'Bench (socket)' });
  await store.workspaces.create({ workspace_id: WS_STORE, name: 'Bench (store)' });
  const socketThreads: string[] = [];
  const storeThreads: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const { secret } = await store.tokens.issue({ kind: 'workspace', workspace_ids: [WS_GATEWAY], label: `bench runtime ${c}` });
    clients.push(await BenchClient.open(gateway.rpcUrl, secret));
    socketThreads.push((await store.threads.start({ workspace_id: WS_GATEWAY, title: `bench ${c}` })).thread.thread_id);
    storeThreads.push((await store.threads.start({ workspace_id: WS_STORE, title: `bench ${c}` })).thread.thread_id);
  }
  const rssBefore = round(process.memoryUsage.rss() / 2 ** 20, 1);
  const counted = async (work: () => Promise<Phase>) => {
    const { value, commits, jobs, cpu_ms } = await withCommits(store, work);
    return Object.assign(value, { commits, jobs, cpu_ms });
  };
  const viaSocket = (tag: string, turns: number) =>
    withRssPeak(() => counted(() => loops(turns, `g${tag}`, socketThreads, (c, events) => clients[c]!.call('turn/event/append', { workspace_id: WS_GATEWAY, events }))));
  const viaStore = (tag: string, turns: number) =>
    withRssPeak(() => counted(() => loops(turns, `s${tag}`, storeThreads, (_c, events) => store.turns.appendEvents({ workspace_id: WS_STORE, events }))));

  await viaSocket('warm', WARMUP_TURNS_PER_CLIENT);
  await viaStore('warm', WARMUP_TURNS_PER_CLIENT);
  const g: Phase[] = [];
  const s: Phase[] = [];
  const ratios: number[] = [];
  let socketRss = 0;
  let storeRss = 0;
  for (let r = 0; r < ROUNDS; r++) {
    collect();
    const first = r % 2 === 0 ? viaSocket : viaStore;
    const second = r % 2 === 0 ? viaStore : viaSocket;
    const a = await first(`r${r}`, TURNS_PER_CLIENT);
    collect();
    const b = await second(`r${r}`, TURNS_PER_CLIENT);
    const [gp, sp] = r % 2 === 0 ? [a, b] : [b, a];
    g.push(gp.value);
    s.push(sp.value);
    socketRss = Math.max(socketRss, gp.peak_rss_mb);
    storeRss = Math.max(storeRss, sp.peak_rss_mb);
    const gRate = (gp.value.events / gp.value.elapsed) * 1000;
    const sRate = (sp.value.events / sp.value.elapsed) * 1000;
    ratios.push(gRate / sRate);
    console.log(`round ${r + 1}: socket ${gp.value.events} events ${round(gRate)}/s (rss ${gp.peak_rss_mb} MB), store ${sp.value.events} events ${round(sRate)}/s (rss ${sp.peak_rss_mb} MB), ratio ${round(gRate / sRate, 3)}`);
  }
  const gw = figures(g);
  const st = figures(s);
  console.log(`socket ${JSON.stringify(gw)}`);
  console.log(`store  ${JSON.stringify(st)}`);
  report({
    bench: 'ws-append',
    ratio: round(median(ratios), 3),
    ratios: ratios.map((x) => round(x, 3)),
    clients: CLIENTS,
    batch_events: BATCH,
    socket_events_per_s: gw.events_per_s,
    socket_batch_p50_ms: gw.batch_p50_ms,
    socket_batch_p99_ms: gw.batch_p99_ms,
    socket_jobs_per_commit: gw.jobs_per_commit,
    socket_cpu_us_per_event: gw.cpu_us_per_event,
    store_events_per_s: st.events_per_s,
    store_batch_p50_ms: st.batch_p50_ms,
    store_batch_p99_ms: st.batch_p99_ms,
    store_jobs_per_commit: st.jobs_per_commit,
    store_cpu_us_per_event: st.cpu_us_per_event,
    cpu_ratio: round(st.cpu_us_per_event / gw.cpu_us_per_event, 3),
    server_peak_rss_mb: socketRss,
    store_phase_peak_rss_mb: storeRss,
    rss_before_mb: rssBefore,
    rss_note: 'in-process server: RSS of the whole bench process (server + clients + SQLite cache)',
    events: gw.events + st.events,
  });
} finally {
  await Promise.all(clients.map((c) => c.close()));
  await bench.close();
}
