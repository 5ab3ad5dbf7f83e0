// thread-history: reads over a large history, through the store (params validated, snapshot
// read transaction, DTO mapping) against hand-written prepared statements on the same
// read-only connection in the same process (same rows out, no mapping beyond JSON.parse).
//  - `thread/history` first page (limit 100) of a thread with 10,000 items (1,000 turns of 10).
//  - `thread/search` (FTS5) over a workspace of 100,000 items, first page of 20, over a mix of
//    rare, common and two-word queries.
// The file is written through the real append path (journal + projectors), many events per
// transaction to keep setup short. `ratio` = ours / baseline for the history page.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { TurnEventPayload } from '@cairn/protocol';
import { nativeHandle } from '@cairn/sqlite';
import { measure, report, round } from '@cairn/tooling/bench';
import { openCrudStore } from '../src/index.js';
import { appendTurnEvents } from '../src/turns/append-turn-events.js';

const WS = 'ws_bench';
const ITEMS_PER_TURN = 10;
const HISTORY_TURNS = 1_000; // 10,000 items in thread_h
const OTHER_THREADS = 90; // 90 x 100 turns x 10 items = 90,000 more: 100,000 in the workspace
const OTHER_TURNS = 100;
const TX_EVENTS = 5_000;
const ITERATIONS = 400;
const MAX_MS = 10_000;

// A Zipf-like vocabulary: word k appears with probability ~ 1/k, so queries range from rare to common.
const VOCAB = Array.from({ length: 4000 }, (_, k) => `w${k.toString(36)}${'xyzq'[k % 4]}`);
let seed = 42;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const zipf = (): string => VOCAB[Math.min(VOCAB.length - 1, Math.floor(Math.exp(random() * Math.log(VOCAB.length))) - 1)]!;
const sentence = (n: number): string => Array.from({ length: n }, zipf).join(' ');

function* turnEvents(threadId: string, turnId: string): Generator<[string, string, TurnEventPayload]> {
  yield [threadId, turnId, { type: 'turn.started', input: [{ type: 'text', text: sentence(12) }] }];
  for (let i = 0; i < ITEMS_PER_TURN; i++) {
    const itemId = `item_${i}`;
    yield [threadId, turnId, { type: 'item.started', item_id: itemId, item_type: i % 3 === 1 ? 'command' : 'agent_message' }];
    yield [threadId, turnId, { type: 'item.completed', item_id: itemId, status: 'completed', text: sentence(20) }];
  }
  yield [threadId, turnId, { type: 'turn.completed' }];
}

function* allEvents(): Generator<[string, string, TurnEventPayload]> {
  // Interleaved as real traffic would be: the big thread's turns among the others'.
  for (let t = 0; t < Math.max(HISTORY_TURNS, OTHER_TURNS); t++) {
    if (t < HISTORY_TURNS) yield* turnEvents('thread_h', `h_${t}`);
    if (t < OTHER_TURNS) for (let o = 0; o < OTHER_THREADS; o++) yield* turnEvents(`thread_${o}`, `o${o}_${t}`);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-thread-history-'));
try {
  const store = await openCrudStore({ path: join(dir, 'gateway.db') });
  await store.workspaces.create({ workspace_id: WS, name: 'Bench' });
  await store.threads.start({ workspace_id: WS, thread_id: 'thread_h' });
  for (let o = 0; o < OTHER_THREADS; o++) await store.threads.start({ workspace_id: WS, thread_id: `thread_${o}` });
  const setupStart = performance.now();
  const { log } = store.events;
  const source = allEvents();
  let written = 0;
  for (let done = false; !done; ) {
    await store.context.write(async (ctx) => {
      for (let i = 0; i < TX_EVENTS; i++) {
        const next = source.next();
        if (next.done) return void (done = true);
        const [threadId, turnId, event] = next.value;
        await appendTurnEvents(ctx, log, WS, [{ threadId, turnId, event }]);
        written++;
      }
    });
  }
  const items = (await store.context.read((q) => q.get<{ n: number; h: number }>("SELECT count(*) AS n, sum(thread_id = 'thread_h') AS h FROM turn_item")))!;
  console.log(`setup: ${written} events, ${items.n} items (${items.h} in thread_h) in ${round((performance.now() - setupStart) / 1000, 1)} s`);

  // The hand-written side reads on the store's own read connection (each of its reads a transaction, as ours).
  const db = nativeHandle(store.sqlite.readDataSource);
  const turnsSql = db.prepare(
    `SELECT turn_id, workspace_id, thread_id, thread_seq, status, sandbox_policy, model, error, usage, item_count, last_seq, started_at, updated_at, completed_at
     FROM turn WHERE thread_id = ? ORDER BY thread_seq DESC LIMIT ?`,
  );
  const itemsSql = db.prepare(
    `SELECT turn_id, item_id, thread_id, workspace_id, ordinal, item_type, status, attempt, text, payload, error, reason, started_at, updated_at,
     completed_at, timed_out_at, retry_due_at FROM turn_item WHERE turn_id = ? AND ordinal > 0 ORDER BY ordinal LIMIT ?`,
  );
  const inputSql = db.prepare('SELECT kind, text, attachment_id, name, mime_type FROM turn_input WHERE turn_id = ? ORDER BY ordinal');
  const searchSql = db.prepare(
    `SELECT workspace_id, thread_id, turn_id, item_id, at, snippet(turn_search, 0, '[', ']', '…', 16) AS snippet FROM turn_search
     WHERE turn_search MATCH ? AND workspace_id = ? ORDER BY rank LIMIT ? OFFSET 0`,
  );

  const handHistory = () => {
    db.exec('BEGIN');
    try {
      let budget = 100;
      const page = [];
      for (const turn of turnsSql.all('thread_h', 101) as Array<{ turn_id: string }>) {
        if (budget === 0) break;
        const rows = itemsSql.all(turn.turn_id, budget + 1) as Array<{ payload: string | null }>;
        const kept = rows.slice(0, budget);
        budget -= kept.length;
        page.push({ turn, input: inputSql.all(turn.turn_id), items: kept.map((r) => ({ ...r, payload: r.payload && JSON.parse(r.payload) })) });
      }
      return page;
    } finally {
      db.exec('COMMIT');
    }
  };
  const oursHistory = () => store.turns.history({ workspace_id: WS, thread_id: 'thread_h', limit: 100 });
  const check = await oursHistory();
  if (check.items.reduce((n, t) => n + t.items.length, 0) !== 100 || check.items[0]?.turn.turn_id !== `h_${HISTORY_TURNS - 1}`) {
    throw new Error('history page is not the newest 100 items');
  }

  // Queries: a rare word, a mid-frequency word, a common word, and two-word conjunctions.
  const queries = [VOCAB[3000]!, VOCAB[800]!, VOCAB[200]!, VOCAB[40]!, VOCAB[5]!, `${VOCAB[60]} ${VOCAB[90]}`, `${VOCAB[10]} ${VOCAB[2500]}`, `${VOCAB[1]} ${VOCAB[2]}`];
  let qi = 0;
  const oursSearch = () => store.search.threads({ workspace_id: WS, query: queries[qi++ % queries.length]!, limit: 20 });
  const handSearch = () => searchSql.all(`"${queries[qi++ % queries.length]!.split(' ').join('" "')}"*`, WS, 21);

  const rounds = { history: [] as Array<[number, number]>, search: [] as Array<[number, number]> };
  let last = { hOurs: await measure(oursHistory, { iterations: 10, maxMs: 1000 }), hHand: await measure(handHistory, { iterations: 10, maxMs: 1000 }), sOurs: await measure(oursSearch, { iterations: 8, maxMs: 1000 }), sHand: await measure(handSearch, { iterations: 8, maxMs: 1000 }) };
  for (let r = 0; r < 3; r++) {
    const hOurs = await measure(oursHistory, { iterations: ITERATIONS, maxMs: MAX_MS, warmup: 10 });
    const hHand = await measure(handHistory, { iterations: ITERATIONS, maxMs: MAX_MS, warmup: 10 });
    qi = 0;
    const sOurs = await measure(oursSearch, { iterations: ITERATIONS, maxMs: MAX_MS });
    qi = 0;
    const sHand = await measure(handSearch, { iterations: ITERATIONS, maxMs: MAX_MS });
    rounds.history.push([hOurs.p50_ms, hHand.p50_ms]);
    rounds.search.push([sOurs.p50_ms, sHand.p50_ms]);
    last = { hOurs, hHand, sOurs, sHand };
    console.log(`round ${r + 1}: history ours ${JSON.stringify(hOurs)} hand ${JSON.stringify(hHand)}`);
    console.log(`round ${r + 1}: search  ours ${JSON.stringify(sOurs)} hand ${JSON.stringify(sHand)}`);
  }
  const perQuery: Record<string, number> = {};
  for (const query of queries) {
    const m = await measure(() => store.search.threads({ workspace_id: WS, query, limit: 20 }), { iterations: 50, maxMs: 2000 });
    perQuery[query] = m.p50_ms;
  }
  console.log(`search p50 per query (ms): ${JSON.stringify(perQuery)}`);
  await store.close();
  const median = (pairs: Array<[number, number]>, k: 0 | 1) => pairs.map((p) => p[k]).sort((a, b) => a - b)[1]!;
  report({
    bench: 'thread-history',
    ratio: round(median(rounds.history, 1) / median(rounds.history, 0), 3),
    history_p50_ms: last.hOurs.p50_ms,
    history_p99_ms: last.hOurs.p99_ms,
    history_baseline_p50_ms: last.hHand.p50_ms,
    history_baseline_p99_ms: last.hHand.p99_ms,
    search_p50_ms: last.sOurs.p50_ms,
    search_p99_ms: last.sOurs.p99_ms,
    search_ratio: round(median(rounds.search, 1) / median(rounds.search, 0), 3),
    search_baseline_p50_ms: last.sHand.p50_ms,
    thread_items: items.h,
    workspace_items: items.n,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
