import { afterEach, beforeEach, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import { readWorkspaceAfter } from '../journal/read-workspace-after.js';
import { verifyJournal } from '../journal/verify-journal.js';
import { describePostgres } from '../testing/backend.js';
import { openTempStore, type TempStore } from '../testing/temp-store.js';
import type { CrudStore } from './crud-store.js';

// What only a database with concurrent writers can show: two stores (two pools, i.e. two
// gateways' worth of connections) writing one PostgreSQL database at once.
describePostgres('crud on PostgreSQL with concurrent writers', () => {
  let temp: TempStore;
  let a: CrudStore;
  let b: CrudStore;
  beforeEach(async () => {
    temp = await openTempStore({ poolSize: 6 });
    a = temp.store;
    b = await temp.reopen({ poolSize: 6 });
    for (const ws of ['w1', 'w2']) {
      await a.workspaces.create({ workspace_id: ws, name: ws });
      await a.threads.start({ workspace_id: ws, thread_id: `t-${ws}` });
    }
  });
  afterEach(async () => temp.cleanup());

  const delta = (i: number): TurnEventPayload => ({ type: 'turn.started', input: [{ type: 'text', text: `event ${i}` }] });
  /** `count` turns started in `ws` by `store`, `parallel` batches in flight at a time. */
  const appendMany = async (store: CrudStore, ws: string, tag: string, count: number, parallel = 4) => {
    const seqs: number[] = [];
    for (let i = 0; i < count; i += parallel) {
      const batch = Array.from({ length: Math.min(parallel, count - i) }, (_, j) =>
        store.turns.appendEvent({ workspace_id: ws, thread_id: `t-${ws}`, turn_id: `${tag}-${i + j}`, idempotency_key: `${tag}-${i + j}`, event: delta(i + j) }),
      );
      for (const r of await Promise.all(batch)) seqs.push(r.seq!);
    }
    return seqs;
  };
  const seqsOf = (ws: string) =>
    a.context.read(async (q) => (await q.all<{ workspace_seq: number }>('SELECT workspace_seq FROM journal_event WHERE workspace_id = ? ORDER BY workspace_seq', [ws])).map((r) => r.workspace_seq));

  it('appends from two stores to one workspace and to another: nothing lost, nothing doubled, seqs contiguous, the chain verifies', async () => {
    const [a1, b1, a2, b2] = await Promise.all([appendMany(a, 'w1', 'a', 60), appendMany(b, 'w1', 'b', 60), appendMany(a, 'w2', 'c', 40), appendMany(b, 'w2', 'd', 40)]);
    expect(new Set([...a1, ...b1]).size).toBe(120);
    expect(new Set([...a2, ...b2]).size).toBe(80);
    // Seq 1 of each workspace is its thread's thread.started.
    expect(await seqsOf('w1')).toEqual(Array.from({ length: 121 }, (_, i) => i + 1));
    expect(await seqsOf('w2')).toEqual(Array.from({ length: 81 }, (_, i) => i + 1));
    expect(await a.port.read((q) => verifyJournal(q))).toMatchObject({ ok: true, checked: 202 });
    // No retries were needed: the workspace lock serialises, READ COMMITTED never reads a stale head.
    expect(a.postgres!.writePath.stats.retries).toEqual({ serialization_failure: 0, deadlock: 0, connection_lost: 0 });
  });

  it('a resumer polling seq > N while two stores append never misses an event (no visibility gaps)', async () => {
    let done = false;
    const seen: number[] = [];
    const poll = (async () => {
      let after = 0;
      while (!done || after < 101) {
        const events = await b.context.read((q) => readWorkspaceAfter(q, 'w1', after, 50));
        for (const e of events) {
          // Each batch must continue exactly where the last one ended: a skipped seq would never come back.
          expect(e.workspaceSeq).toBe(after + 1);
          seen.push(e.workspaceSeq);
          after = e.workspaceSeq;
        }
        if (events.length === 0) await new Promise((r) => setTimeout(r, 1));
      }
    })();
    await Promise.all([appendMany(a, 'w1', 'a', 50, 6), appendMany(b, 'w1', 'b', 50, 6)]);
    done = true;
    await poll;
    expect(seen).toEqual(Array.from({ length: 101 }, (_, i) => i + 1)); // the thread's start, then the 100 turns
  });

  it('one idempotency key sent through both stores at once: one event, every other answer a duplicate of it', async () => {
    const send = (store: CrudStore) => store.turns.appendEvent({ workspace_id: 'w1', thread_id: 't-w1', turn_id: 'u1', idempotency_key: 'same', event: delta(1) });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => send(i % 2 ? a : b)));
    expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(new Set(results.map((r) => r.seq))).toEqual(new Set([2])); // 1: the thread's start
    expect(await seqsOf('w1')).toEqual([1, 2]);
  });

  it('while one workspace is locked, appends to another proceed; the locked one waits, then goes on', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = a.context.write(async (ctx) => {
      await ctx.dialect.lockWorkspace(ctx, 'w1');
      locked();
      await held;
    });
    await isLocked;
    let w1Done = false;
    const w1 = appendMany(b, 'w1', 'x', 1).then(() => (w1Done = true));
    const started = Date.now();
    await appendMany(b, 'w2', 'y', 10, 2);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(w1Done).toBe(false);
    release();
    await holder;
    await w1;
    expect(await seqsOf('w1')).toEqual([1, 2]);
    expect(await seqsOf('w2')).toHaveLength(11);
  });

  it('two stores racing recovery-job claims take each job once (FOR UPDATE SKIP LOCKED + a conditional UPDATE)', async () => {
    const now = '2025-03-10T00:00:00.000Z';
    const jobs = 40;
    for (let i = 0; i < jobs; i++) {
      await a.context.write((ctx) =>
        ctx.run(
          `INSERT INTO recovery_job (job_id, workspace_id, turn_id, recovery_id, status, attempt, due_at, ready_at, claim_count, failed_claims, opened_at, updated_at)
           VALUES (?, 'w1', ?, ?, 'pending', 1, ?, ?, 0, 0, ?, ?)`,
          [`job-${i}`, `u-${i}`, `r-${i}`, now, now, now, now],
        ),
      );
    }
    const claimAll = async (store: CrudStore, worker: string) => {
      const won: string[] = [];
      for (;;) {
        const got = (await Promise.all(Array.from({ length: 3 }, () => store.recoveryJobs.claim({ worker_id: worker, lease_ms: 60_000, now })))).filter((j) => j !== null);
        if (got.length === 0) return won;
        won.push(...got.map((j) => j.job_id));
      }
    };
    const [wa, wb] = await Promise.all([claimAll(a, 'wa'), claimAll(b, 'wb')]);
    expect([...wa, ...wb].sort()).toEqual(Array.from({ length: jobs }, (_, i) => `job-${i}`).sort());
  });

  it('search folds accents like the index, matches prefixes, and takes quotes and operators as plain text', async () => {
    const say = (turn: string, text: string) =>
      a.turns.appendEvent({ workspace_id: 'w1', thread_id: 't-w1', turn_id: turn, idempotency_key: turn, event: { type: 'turn.started', input: [{ type: 'text', text }] } });
    await say('u1', 'Déployer la configuration en ÉTÉ staging');
    await say('u2', "it's a & b | !c <-> d:* (paren) 'quoted'");
    const find = async (query: string) => (await a.search.threads({ workspace_id: 'w1', query })).items.map((h) => h.turn_id);
    expect(await find('deployer')).toEqual(['u1']);
    expect(await find('DÉPLOYER été')).toEqual(['u1']);
    expect(await find('config')).toEqual(['u1']);
    expect(await find('stag')).toEqual(['u1']);
    expect(await find("it's & !c <-> d:*")).toEqual(['u2']);
    expect(await find("'quoted")).toEqual(['u2']);
    expect(await find("\\' OR 1=1 --")).toEqual([]);
    expect(await find('&|!')).toEqual([]);
    const [hit] = (await a.search.threads({ workspace_id: 'w1', query: 'staging' })).items;
    expect(hit!.snippet).toContain('[staging]');
  });
});
