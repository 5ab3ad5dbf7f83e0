// task-claim: claims per second of the scheduler's claim cycle (`store.tasks.fireDueTriggers`
// with limit 10: the due query over `idx_task_trigger_due`, ten `task.trigger.fired` events;
// then `store.tasks.claimRuns` with limit 10: the claim query over `idx_task_run_queue` and
// ten conditional UPDATEs), on a table of 100,000 tasks of which 1% (1,000) are due.
//
// Baseline, same process, same settings: the same cycle over a table of 1,000 tasks, the same
// 1,000 due ones and nothing else. `ratio` = claims/s with 100,000 tasks / claims/s with 1,000:
// about 1 when the due and claim queries cost what they find, not what the table holds.
//
// Seeding: the rows of `task` and `task_trigger` are bulk-inserted in the shape
// `store.tasks.create` writes (a system task with one `scheduled_at` trigger: the due ones at
// the bench's `now`, the others a year later), not through 100,000 create events, so seeding
// takes seconds; everything measured runs through the store. The bench prints the query plans
// of the due and claim queries on both databases (the crud README quotes them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { race, report, round } from '@cairn/tooling/bench';
import { openCrudStore, openPostgresCrudStore, type CrudStore } from '../src/index.js';
import { withBenchPostgres } from './postgres-bench.js';

const BIG = 100_000;
const SMALL = 1_000;
const DUE = 1_000;
const BATCH = 10;
const CYCLES = DUE / BATCH;
const WARMUP = 10;
const NOW = new Date('2026-06-01T12:00:00.000Z');
const LATER = '2027-06-01T12:00:00.000Z';
const MAX_MS = 30_000;

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-bench-task-claim-'));
  dirs.push(dir);
  return dir;
};

/** `total` tasks, the first `due` of them due at NOW, spread over 8 workspaces. */
async function seed(store: CrudStore, total: number, due: number): Promise<void> {
  const at = NOW.toISOString();
  for (let w = 0; w < 8; w++) await store.workspaces.create({ workspace_id: `ws${w}`, name: `ws${w}` });
  const CHUNK = 500;
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    const tasks: unknown[] = [];
    const triggers: unknown[] = [];
    for (let i = from; i < to; i++) {
      const id = `task${i}`;
      const ws = `ws${i % 8}`;
      const fire = i < due ? at : LATER;
      tasks.push(id, ws, id, 0, id, 'scheduled', 'system', '{"action":"noop"}', 'null', '{"kind":"none"}', '{}', '[]', '{}', 0, at, at, 0);
      triggers.push(`trg${i}`, id, ws, 0, 'scheduled_at', JSON.stringify({ at: fire, kind: 'scheduled_at' }), 'active', fire, 0, at, at);
    }
    const n = to - from;
    await store.context.write(async (ctx) => {
      await ctx.run(
        `INSERT INTO task (task_id, workspace_id, root_task_id, depth, title, status, executor_kind, executor_config, input, retry, timeouts, deliveries, delivery_policy, run_count, created_at, updated_at, last_seq)
         VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        tasks,
      );
      await ctx.run(
        `INSERT INTO task_trigger (trigger_id, task_id, workspace_id, ordinal, kind, spec, status, next_fire_at, fire_count, created_at, updated_at)
         VALUES ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
        triggers,
      );
    });
  }
}

let claimedTotal = new Map<string, number>();

function side(name: string, store: CrudStore) {
  claimedTotal.set(name, 0);
  return {
    name,
    async step() {
      await store.tasks.fireDueTriggers({ now: NOW, owner: name, limit: BATCH });
      const claimed = await store.tasks.claimRuns({ now: NOW, owner: name, lease_ms: 600_000, limit: BATCH });
      claimedTotal.set(name, claimedTotal.get(name)! + claimed.length);
    },
    close: () => store.close(),
  };
}

const DUE_SQL = "SELECT trigger_id, workspace_id FROM task_trigger WHERE next_fire_at IS NOT NULL AND next_fire_at <= '2026-06-01T12:00:00.000Z' ORDER BY next_fire_at, trigger_id LIMIT 10";
const CLAIM_SQL = "SELECT run_id FROM task_run WHERE queue_at IS NOT NULL AND queue_at <= '2026-06-01T12:00:00.000Z' ORDER BY queue_at, run_id LIMIT 10";

async function plans(store: CrudStore, explain: string): Promise<Record<string, string>> {
  return store.context.read(async (q) => {
    const show = async (sql: string) => (await q.all<Record<string, unknown>>(`${explain} ${sql}`)).map((r) => String(r.detail ?? r['QUERY PLAN'])).join(' | ');
    return { due: await show(DUE_SQL), claim: await show(CLAIM_SQL) };
  });
}

async function run(open: (label: string) => Promise<CrudStore>, explain: string, prefix: string): Promise<Record<string, unknown>> {
  claimedTotal = new Map();
  const big = await open('big');
  const small = await open('small');
  await seed(big, BIG, DUE);
  await seed(small, SMALL, DUE);
  const results = await race([side(`${prefix}big`, big), side(`${prefix}small`, small)], Array.from({ length: CYCLES }, (_, i) => i), { warmup: WARMUP, chunk: 10, maxMs: MAX_MS });
  // Plans once there are queued runs too (after the race, before the stores close).
  const reopened = await open('big-plans');
  const plan = await plans(reopened, explain);
  await reopened.close();
  for (const [name, m] of results) console.log(`${name.padEnd(12)} ${JSON.stringify(m)}`);
  console.log(`${prefix}plans ${JSON.stringify(plan, null, 1)}`);
  const b = results.get(`${prefix}big`)!;
  const s = results.get(`${prefix}small`)!;
  for (const name of [`${prefix}big`, `${prefix}small`]) if (claimedTotal.get(name) !== DUE) throw new Error(`${name} claimed ${claimedTotal.get(name)} runs, not ${DUE}: the comparison is void`);
  return {
    [`${prefix}ratio`]: round(b.per_s / s.per_s, 3),
    [`${prefix}claims_per_s`]: round(b.per_s * BATCH, 1),
    [`${prefix}baseline_claims_per_s`]: round(s.per_s * BATCH, 1),
    [`${prefix}cycle_p50_ms`]: b.p50_ms,
    [`${prefix}cycle_p99_ms`]: b.p99_ms,
    [`${prefix}plan_due`]: plan.due,
    [`${prefix}plan_claim`]: plan.claim,
  };
}

try {
  const paths = new Map<string, string>();
  const sqlite = await run(
    async (label) => {
      const key = label === 'big-plans' ? 'big' : label;
      if (!paths.has(key)) paths.set(key, join(tempDir(), 'gateway.db'));
      return openCrudStore({ path: paths.get(key)! });
    },
    'EXPLAIN QUERY PLAN',
    '',
  );
  const postgres = await withBenchPostgres('postgres_ratio', async (server) => {
    const urls = new Map<string, string>();
    return run(
      async (label) => {
        const key = label === 'big-plans' ? 'big' : label;
        if (!urls.has(key)) urls.set(key, server.createDatabase(`task_claim_${key}`));
        return openPostgresCrudStore({ url: urls.get(key)!, archiveDir: tempDir() });
      },
      'EXPLAIN',
      'postgres_',
    );
  });
  report({ bench: 'task-claim', ratio: sqlite.ratio as number, tasks: BIG, due: DUE, baseline_tasks: SMALL, batch: BATCH, ...sqlite, ...postgres });
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
