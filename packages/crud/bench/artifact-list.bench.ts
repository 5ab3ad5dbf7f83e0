// artifact-list: `store.artifacts.listByThread` (first page of 50, and a page after a cursor)
// of a thread with 200 artifacts bound, in a workspace of 100,000 artifacts spread over 500
// threads, against the same listing in a workspace of 1,000 artifacts (another database, same
// process, same thread of 200). Listing reads bindings by index, so the ratio (small p50 /
// big p50) stays near 1 however large the workspace grows. On SQLite and PostgreSQL; each
// side's query plan is printed (and copied into the README).
//
// Setup writes the read-model rows the listing reads (artifact, version, binding) with the
// projector's own row writers, many per transaction, and not the journal: the journal is not
// read by a listing, and 200,000 journaled events take minutes on PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Artifact, ArtifactBinding, ArtifactVersion } from '@cairn/protocol';
import { measure, report, round } from '@cairn/tooling/bench';
import { openCrudStore, openPostgresCrudStore, type CrudStore } from '../src/index.js';
import { insertArtifact, insertBinding, insertVersion } from '../src/artifacts/artifact-rows.js';
import { withBenchPostgres } from './postgres-bench.js';

const WS = 'ws_bench';
const TARGET = 'thread_target';
const TARGET_ARTIFACTS = 200;
const BIG = 100_000;
const SMALL = 1_000;
const THREADS = 500;
const TX_ARTIFACTS = 2_500;
const ITERATIONS = 2_000;
const MAX_MS = 8_000;
const AT = Date.parse('2025-01-01T00:00:00.000Z');

const hex = (n: number) => n.toString(16).padStart(64, '0');

async function populate(store: CrudStore, total: number): Promise<number> {
  const started = performance.now();
  await store.workspaces.create({ workspace_id: WS, name: 'Bench' });
  await store.threads.start({ workspace_id: WS, thread_id: TARGET });
  for (let t = 0; t < THREADS; t++) await store.threads.start({ workspace_id: WS, thread_id: `thread_${t}` });
  // The target thread's artifacts are spread evenly through the workspace's history.
  const every = Math.floor(total / TARGET_ARTIFACTS);
  for (let from = 0; from < total; from += TX_ARTIFACTS) {
    await store.context.write(async (ctx) => {
      for (let i = from; i < Math.min(total, from + TX_ARTIFACTS); i++) {
        const at = new Date(AT + i).toISOString();
        const threadId = i % every === 0 && i / every < TARGET_ARTIFACTS ? TARGET : `thread_${i % THREADS}`;
        const artifactId = `art_${i}`;
        const version: ArtifactVersion = {
          version_id: `ver_${i}`, artifact_id: artifactId, workspace_id: WS, version_number: 1, sha256: hex(i), size_bytes: 1000 + i,
          name: `file-${i}.txt`, mime_type: 'text/plain', kind: 'text', source_kind: 'agent_output', created_at: at,
        };
        const artifact: Artifact = {
          artifact_id: artifactId, workspace_id: WS, name: version.name, kind: 'text', mime_type: 'text/plain', status: 'ready', source_kind: 'agent_output',
          current_version_id: version.version_id, version_count: 1, sha256: version.sha256, size_bytes: version.size_bytes, thread_id: threadId,
          created_at: at, updated_at: at, deleted_at: null,
        };
        const binding: ArtifactBinding = {
          binding_id: `abd_${i}`, artifact_id: artifactId, version_id: null, workspace_id: WS, binding_kind: 'agent_output', direction: 'output', scope: 'turn',
          thread_id: threadId, turn_id: `turn_${i % 5000}`, message_id: null, item_id: null, tool_call_id: null, task_id: null, task_run_id: null, created_at: at,
        };
        await insertArtifact(ctx, { ...artifact, restore_status: null, last_seq: 2 });
        await insertVersion(ctx, version);
        await insertBinding(ctx, binding);
      }
    });
  }
  const n = (await store.context.read((q) => q.get<{ n: number }>('SELECT count(*) AS n FROM artifact_binding WHERE workspace_id = ?', [WS])))!.n;
  if (Number(n) !== total) throw new Error(`expected ${total} bindings, found ${n}`);
  return performance.now() - started;
}

/** First page, then the page after it: what a thread's artifact panel reads. */
function lister(store: CrudStore): () => Promise<void> {
  return async () => {
    const first = await store.artifacts.listByThread({ workspace_id: WS, thread_id: TARGET, limit: 50 });
    if (first.items.length !== 50 || first.next_cursor === null) throw new Error('short first page');
    const second = await store.artifacts.listByThread({ workspace_id: WS, thread_id: TARGET, limit: 50, cursor: first.next_cursor });
    if (second.items.length !== 50) throw new Error('short second page');
  };
}

const PLAN_SQL =
  'SELECT b.binding_id, a.artifact_id FROM artifact_binding b JOIN artifact a ON a.artifact_id = b.artifact_id ' +
  "WHERE b.workspace_id = ? AND b.thread_id = ? AND a.status <> 'deleted' AND (b.created_at, b.binding_id) > (?, ?) ORDER BY b.created_at, b.binding_id LIMIT 51";

async function plan(store: CrudStore, explain: string): Promise<string[]> {
  const at = new Date(AT).toISOString();
  const rows = await store.context.read((q) => q.all<Record<string, unknown>>(`${explain} ${PLAN_SQL}`, [WS, TARGET, at, 'abd_0']));
  return rows.map((r) => String(r.detail ?? r['QUERY PLAN'] ?? JSON.stringify(r)));
}

async function compare(big: CrudStore, small: CrudStore): Promise<{ big: Awaited<ReturnType<typeof measure>>; small: Awaited<ReturnType<typeof measure>>; ratio: number }> {
  const rounds: Array<[number, number]> = [];
  let last: { big: Awaited<ReturnType<typeof measure>>; small: Awaited<ReturnType<typeof measure>> } | undefined;
  await measure(lister(big), { iterations: 50, maxMs: 2000 });
  await measure(lister(small), { iterations: 50, maxMs: 2000 });
  for (let r = 0; r < 3; r++) {
    const b = await measure(lister(big), { iterations: ITERATIONS, maxMs: MAX_MS, warmup: 20 });
    const s = await measure(lister(small), { iterations: ITERATIONS, maxMs: MAX_MS, warmup: 20 });
    rounds.push([b.p50_ms, s.p50_ms]);
    last = { big: b, small: s };
    console.log(`round ${r + 1}: ${BIG} artifacts ${JSON.stringify(b)} | ${SMALL} artifacts ${JSON.stringify(s)}`);
  }
  const median = (k: 0 | 1) => rounds.map((p) => p[k]).sort((x, y) => x - y)[1]!;
  return { ...last!, ratio: round(median(1) / median(0), 3) };
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-artifact-list-'));
try {
  const big = await openCrudStore({ path: join(dir, 'big.db') });
  const small = await openCrudStore({ path: join(dir, 'small.db') });
  console.log(`sqlite setup: ${BIG} artifacts in ${round((await populate(big, BIG)) / 1000, 1)} s, ${SMALL} in ${round((await populate(small, SMALL)) / 1000, 1)} s`);
  const sqlitePlan = await plan(big, 'EXPLAIN QUERY PLAN');
  console.log(`sqlite plan:\n  ${sqlitePlan.join('\n  ')}`);
  const sqlite = await compare(big, small);
  await big.close();
  await small.close();

  const postgres = await withBenchPostgres('postgres_ratio', async (server) => {
    const pgBig = await openPostgresCrudStore({ url: server.createDatabase('big'), archiveDir: join(dir, 'archive-big') });
    const pgSmall = await openPostgresCrudStore({ url: server.createDatabase('small'), archiveDir: join(dir, 'archive-small') });
    try {
      console.log(`postgres setup: ${BIG} artifacts in ${round((await populate(pgBig, BIG)) / 1000, 1)} s, ${SMALL} in ${round((await populate(pgSmall, SMALL)) / 1000, 1)} s`);
      await pgBig.context.write((ctx) => ctx.run('ANALYZE'));
      await pgSmall.context.write((ctx) => ctx.run('ANALYZE'));
      const pgPlan = await plan(pgBig, 'EXPLAIN');
      console.log(`postgres plan:\n  ${pgPlan.join('\n  ')}`);
      const r = await compare(pgBig, pgSmall);
      return {
        postgres_ratio: r.ratio,
        postgres_p50_ms: r.big.p50_ms,
        postgres_p99_ms: r.big.p99_ms,
        postgres_baseline_p50_ms: r.small.p50_ms,
        postgres_baseline_p99_ms: r.small.p99_ms,
      };
    } finally {
      await pgBig.close();
      await pgSmall.close();
    }
  });

  report({
    bench: 'artifact-list',
    ratio: sqlite.ratio,
    p50_ms: sqlite.big.p50_ms,
    p99_ms: sqlite.big.p99_ms,
    baseline_p50_ms: sqlite.small.p50_ms,
    baseline_p99_ms: sqlite.small.p99_ms,
    workspace_artifacts: BIG,
    baseline_workspace_artifacts: SMALL,
    thread_artifacts: TARGET_ARTIFACTS,
    pages_per_iteration: 2,
    page_limit: 50,
    ...postgres,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
