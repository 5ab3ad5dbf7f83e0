// ws-turns: 32 clients, each on its own WebSocket (its own workspace token) and its own thread
// (`thread/start` over the socket, which subscribes the connection), running built-in-runtime
// turns one after another: `turn/start`, then wait for that turn's `turn/completed`
// notification. The gateway runs in this process (`startGateway`, temp SQLite home, 127.0.0.1
// port 0, `builtin_delta_interval_ms: 0`, no wake poll), so server and clients share the one
// event loop: the figures include the clients' frame handling (kept thin, ws-bench-kit.ts).
// Per turn the gateway validates and answers `turn/start`, the built-in runtime appends its
// steps one event per call (item.started, the reply's deltas, item.completed, a tool item,
// turn.completed), and after each commit the hub reads the journal and sends every event to the
// subscribed connection.
//
// Baseline, same process, same store (another workspace): the same work with no socket, no
// router, no runtime and no hub: 32 concurrent async loops, each `store.turns.start`, then the
// built-in runtime's steps (its `builtinReply`/`replyDeltas`, the same idempotency keys), one
// `appendEvents` call per event as the runtime makes them. Rounds alternate the order of the
// two sides; each side's turns/s is taken per round, and `ratio` = median over rounds of
// gateway turns/s / store turns/s. Latencies: `turn/start` request (send → answer) and whole
// turn (send → its `turn/completed` notification); on the store side `turns.start` and start →
// last append. `cpu_ratio` = store CPU per turn / gateway CPU per turn (process user + system
// time over each side's phases): steadier than the wall-clock ratio when the shared box is busy.
import { performance } from 'node:perf_hooks';
import type { Turn, TurnEventPayload } from '@cairn/protocol';
import { report, round } from '@cairn/tooling/bench';
import type { CrudStore } from '@cairn/crud';
import { builtinReply, replyDeltas } from '../src/agent/builtin-runtime.js';
import { BenchClient, collect, median, quantile, startBenchGateway, withCommits } from './ws-bench-kit.js';

const CLIENTS = 32;
const ROUNDS = 6;
const TURNS_PER_CLIENT = 25;
const WARMUP_TURNS_PER_CLIENT = 5;
const MAX_ROUND_MS = 20_000;
const TURN_TIMEOUT_MS = 30_000;
const WS_GATEWAY = 'ws_bench_gateway';
const WS_STORE = 'ws_bench_store';
const INPUT = [{ type: 'text' as const, text: 'Summarise the failing parser test and propose a two-line patch, please.' }];

/** The built-in runtime's steps for `turn` (builtin-runtime.ts `run`, same order and payloads). */
function builtinSteps(turn: Pick<Turn, 'input'>): TurnEventPayload[] {
  const reply = builtinReply(turn);
  const words = turn.input.reduce((n, part) => n + (part.type === 'text' ? part.text.split(/\s+/).filter(Boolean).length : 1), 0);
  return [
    { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' },
    ...replyDeltas(reply).map((delta): TurnEventPayload => ({ type: 'item.agent_message.delta', item_id: 'msg_1', delta })),
    { type: 'item.completed', item_id: 'msg_1', status: 'completed' },
    { type: 'item.started', item_id: 'tool_1', item_type: 'tool_call', payload: { tool: 'echo', arguments: { text: reply.length } } },
    { type: 'item.completed', item_id: 'tool_1', status: 'completed', payload: { tool: 'echo', output: { characters: reply.length } } },
    { type: 'turn.completed', usage: { input_tokens: words, output_tokens: reply.split(/\s+/).length } },
  ];
}

interface Phase {
  cpu_ms: number;
  commits: number;
  jobs: number;
  turns: number;
  elapsed: number;
  start: number[];
  turn: number[];
}

async function loops(turnsEach: number, one: (client: number, turn: number, phase: Phase) => Promise<void>): Promise<Phase> {
  const phase: Phase = { cpu_ms: 0, commits: 0, jobs: 0, turns: 0, elapsed: 0, start: [], turn: [] };
  const begin = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let t = 0; t < turnsEach && performance.now() - begin < MAX_ROUND_MS; t++) {
        await one(c, t, phase);
        phase.turns++;
      }
    }),
  );
  phase.elapsed = performance.now() - begin;
  return phase;
}

function gatewaySide(clients: BenchClient[], threads: string[]) {
  return (tag: string, turnsEach: number) =>
    loops(turnsEach, async (c, t, phase) => {
      const client = clients[c]!;
      const turnId = `turn_g_${tag}_${c}_${t}`;
      const completed = client.awaitTurn(turnId, TURN_TIMEOUT_MS);
      const t0 = performance.now();
      await client.call('turn/start', { workspace_id: WS_GATEWAY, thread_id: threads[c], turn_id: turnId, input: INPUT });
      phase.start.push(performance.now() - t0);
      phase.turn.push((await completed) - t0);
    });
}

function storeSide(store: CrudStore, threads: string[]) {
  return (tag: string, turnsEach: number) =>
    loops(turnsEach, async (c, t, phase) => {
      const t0 = performance.now();
      const { turn } = await store.turns.start({ workspace_id: WS_STORE, thread_id: threads[c]!, turn_id: `turn_s_${tag}_${c}_${t}`, input: INPUT });
      phase.start.push(performance.now() - t0);
      for (const [index, event] of builtinSteps(turn).entries()) {
        const { results } = await store.turns.appendEvents({
          workspace_id: WS_STORE,
          events: [{ thread_id: turn.thread_id, turn_id: turn.turn_id, idempotency_key: `builtin:${turn.turn_id}:${index}`, event }],
        });
        if (results[0]?.outcome !== 'applied') throw new Error(`store side: step ${index} of ${turn.turn_id} was ${results[0]?.outcome}`);
      }
      phase.turn.push(performance.now() - t0);
    });
}

function figures(phases: Phase[]) {
  const turns = phases.reduce((n, p) => n + p.turns, 0);
  const elapsed = phases.reduce((n, p) => n + p.elapsed, 0);
  const commits = phases.reduce((n, p) => n + p.commits, 0);
  return {
    turns,
    jobs_per_commit: round(phases.reduce((n, p) => n + p.jobs, 0) / commits, 2),
    cpu_us_per_turn: round((phases.reduce((n, p) => n + p.cpu_ms, 0) / turns) * 1000, 1),
    turns_per_s: round((turns / elapsed) * 1000),
    start_p50_ms: quantile(phases.flatMap((p) => p.start), 0.5),
    start_p99_ms: quantile(phases.flatMap((p) => p.start), 0.99),
    turn_p50_ms: quantile(phases.flatMap((p) => p.turn), 0.5),
    turn_p99_ms: quantile(phases.flatMap((p) => p.turn), 0.99),
  };
}

const bench = await startBenchGateway('ws-turns', { agent: { runtime: 'builtin', builtin_delta_interval_ms: 0 } });
const clients: BenchClient[] = [];
try {
  const { gateway } = bench;
  const store = gateway.runtime.store;
  await store.workspaces.create({ workspace_id: WS_GATEWAY, name: 'Bench (gateway)' });
  await store.workspaces.create({ workspace_id: WS_STORE, name: 'Bench (store)' });
  const storeThreads: string[] = [];
  const gatewayThreads: string[] = [];
  for (let c = 0; c < CLIENTS; c++) {
    const { secret } = await store.tokens.issue({ kind: 'workspace', workspace_ids: [WS_GATEWAY], label: `bench client ${c}` });
    const client = await BenchClient.open(gateway.rpcUrl, secret, '"method":"turn/completed"');
    clients.push(client);
    const { thread } = await client.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: WS_GATEWAY, title: `bench ${c}` });
    gatewayThreads.push(thread.thread_id);
    storeThreads.push((await store.threads.start({ workspace_id: WS_STORE, title: `bench ${c}` })).thread.thread_id);
  }
  const viaGateway = gatewaySide(clients, gatewayThreads);
  const viaStore = storeSide(store, storeThreads);
  const counted = async (work: () => Promise<Phase>) => {
    const { value, commits, jobs, cpu_ms } = await withCommits(store, work);
    return Object.assign(value, { commits, jobs, cpu_ms });
  };

  await viaGateway('warm', WARMUP_TURNS_PER_CLIENT);
  await viaStore('warm', WARMUP_TURNS_PER_CLIENT);

  const g: Phase[] = [];
  const s: Phase[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    collect();
    const first = r % 2 === 0 ? viaGateway : viaStore;
    const second = r % 2 === 0 ? viaStore : viaGateway;
    const a = await counted(() => first(`r${r}`, TURNS_PER_CLIENT));
    collect();
    const b = await counted(() => second(`r${r}`, TURNS_PER_CLIENT));
    const [gp, sp] = r % 2 === 0 ? [a, b] : [b, a];
    g.push(gp);
    s.push(sp);
    const gRate = (gp.turns / gp.elapsed) * 1000;
    const sRate = (sp.turns / sp.elapsed) * 1000;
    ratios.push(gRate / sRate);
    console.log(
      `round ${r + 1}: gateway ${gp.turns} turns ${round(gRate)}/s (${gp.commits} commits, ${round(gp.jobs / gp.commits, 1)} jobs each), store ${sp.turns} turns ${round(sRate)}/s (${sp.commits} commits, ${round(sp.jobs / sp.commits, 1)} each), ratio ${round(gRate / sRate, 3)}`,
    );
  }
  const gw = figures(g);
  const st = figures(s);
  const eventsPerTurn = builtinSteps({ input: INPUT }).length + 1;
  const notified = clients.reduce((n, c) => n + c.notifications, 0);
  console.log(`gateway ${JSON.stringify(gw)}`);
  console.log(`store   ${JSON.stringify(st)}`);
  report({
    bench: 'ws-turns',
    ratio: round(median(ratios), 3),
    ratios: ratios.map((x) => round(x, 3)),
    clients: CLIENTS,
    events_per_turn: eventsPerTurn,
    gateway_turns_per_s: gw.turns_per_s,
    gateway_turn_start_p50_ms: gw.start_p50_ms,
    gateway_turn_start_p99_ms: gw.start_p99_ms,
    gateway_turn_p50_ms: gw.turn_p50_ms,
    gateway_turn_p99_ms: gw.turn_p99_ms,
    gateway_jobs_per_commit: gw.jobs_per_commit,
    gateway_cpu_us_per_turn: gw.cpu_us_per_turn,
    store_turns_per_s: st.turns_per_s,
    store_turn_start_p50_ms: st.start_p50_ms,
    store_turn_start_p99_ms: st.start_p99_ms,
    store_turn_p50_ms: st.turn_p50_ms,
    store_turn_p99_ms: st.turn_p99_ms,
    store_jobs_per_commit: st.jobs_per_commit,
    store_cpu_us_per_turn: st.cpu_us_per_turn,
    cpu_ratio: round(st.cpu_us_per_turn / gw.cpu_us_per_turn, 3),
    notifications_received: notified,
    turns: gw.turns + st.turns,
  });
} finally {
  await Promise.all(clients.map((c) => c.close()));
  await bench.close();
}
