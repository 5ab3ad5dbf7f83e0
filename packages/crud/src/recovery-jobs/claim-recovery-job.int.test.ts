import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RecoveryJob } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { OTHER_WS, openRecordsFixture, THREAD, WS, type RecordsFixture } from '../turn-records/testing/records-fixture.js';
import { seedJobs } from './testing/seed-jobs.js';

const T0 = '2025-03-10T00:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const failure = { provider: 'openai', model: 'gpt-x', http_status: 503, error_class: 'overloaded', retry_after_ms: 5000, message: 'try later' };

describe('recovery job claims', () => {
  let f: RecordsFixture;
  beforeEach(async () => {
    f = await openRecordsFixture();
  });
  afterEach(async () => f.cleanup());

  it('many concurrent claimers in one process: every job goes to exactly one worker', async () => {
    const ids = await seedJobs(f, 20);
    const claims = await Promise.all(
      Array.from({ length: 60 }, (_, i) => f.recoveryJobs.claim({ worker_id: `w${i}`, lease_ms: 60_000, now: T0 })),
    );
    const won = claims.filter((c): c is RecoveryJob => c !== null);
    expect(won).toHaveLength(20);
    expect(new Set(won.map((j) => j.job_id))).toEqual(new Set(ids));
    const holders = await f.rows<{ job_id: string; claimed_by: string; claim_count: number }>('SELECT job_id, claimed_by, claim_count FROM recovery_job');
    for (const row of holders) {
      expect(row.claim_count).toBe(1);
      expect(won.find((j) => j.job_id === row.job_id)?.claimed_by).toBe(row.claimed_by);
    }
  });

  it('one job, thirty claimers at once: one wins, the rest get null', async () => {
    await seedJobs(f, 1);
    const claims = await Promise.all(Array.from({ length: 30 }, (_, i) => f.recoveryJobs.claim({ worker_id: `w${i}`, lease_ms: 1000, now: T0 })));
    expect(claims.filter((c) => c !== null)).toHaveLength(1);
  });

  it('claims the most overdue job first, never one not yet due', async () => {
    await seedJobs(f, 1, { dueAt: at(10_000) });
    const [early] = await seedJobs(f, 1, { turnId: 'u2', dueAt: at(-10_000) });
    expect(await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: T0 })).toMatchObject({
      job_id: early,
      status: 'claimed',
      claimed_by: 'w',
      claimed_at: T0,
      claim_expires_at: at(1000),
      claim_count: 1,
    });
    expect(await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: T0 })).toBeNull();
  });

  it('an expired claim can be re-claimed; the old holder can no longer settle it', async () => {
    const [id] = await seedJobs(f, 1);
    await f.recoveryJobs.claim({ worker_id: 'a', lease_ms: 1000, now: T0 });
    expect(await f.recoveryJobs.claim({ worker_id: 'b', lease_ms: 1000, now: at(999) })).toBeNull();
    // Lease ran out but nobody took it yet: the holder is refused (its lease is the contract).
    await expectCode(f.recoveryJobs.complete({ job_id: id!, worker_id: 'a', now: at(1000) }), 'conflict');
    const reclaimed = await f.recoveryJobs.claim({ worker_id: 'b', lease_ms: 1000, now: at(1000) });
    expect(reclaimed).toMatchObject({ job_id: id, claimed_by: 'b', claim_count: 2, claim_expires_at: at(2000) });
    await expectCode(f.recoveryJobs.complete({ job_id: id!, worker_id: 'a', now: at(1001) }), 'conflict');
    expect(await f.recoveryJobs.complete({ job_id: id!, worker_id: 'b', now: at(1001) })).toMatchObject({ status: 'completed', closed_at: at(1001) });
  });

  it('only the holder completes, fails or releases; others get conflict, unknown ids not_found', async () => {
    const [id] = await seedJobs(f, 1);
    await f.recoveryJobs.claim({ worker_id: 'holder', lease_ms: 60_000, now: T0 });
    for (const op of ['complete', 'release'] as const) {
      const error = await expectCode(f.recoveryJobs[op]({ job_id: id!, worker_id: 'intruder', now: at(1) }), 'conflict');
      expect(error.details).toMatchObject({ reason: 'not_holder' });
    }
    await expectCode(f.recoveryJobs.fail({ job_id: id!, worker_id: 'intruder', failure, now: at(1) }), 'conflict');
    await expectCode(f.recoveryJobs.complete({ job_id: 'rj_unknown', worker_id: 'holder' }), 'not_found');
    expect((await f.recoveryJobs.get({ workspace_id: WS, job_id: id! })).claimed_by).toBe('holder');
  });

  it('fail: back to pending after the retry-after, with the new (redacted) failure; release: pending at its due time', async () => {
    const [id] = await seedJobs(f, 1);
    await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    const failed = await f.recoveryJobs.fail({ job_id: id!, worker_id: 'w', now: at(10), failure: { ...failure, message: 'key sk-abcdefghijklmnopqrstuvwxyz012 rejected' } });
    expect(failed).toMatchObject({
      status: 'pending',
      due_at: at(5010),
      claimed_by: null,
      failed_claims: 1,
      failure: { ...failure, message: 'key [redacted] rejected' },
    });
    expect(await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: at(5009) })).toBeNull();
    await f.recoveryJobs.claim({ worker_id: 'w2', lease_ms: 60_000, now: at(5010) });
    const released = await f.recoveryJobs.release({ job_id: id!, worker_id: 'w2', now: at(5020) });
    expect(released).toMatchObject({ status: 'pending', claimed_by: null, claim_count: 2, due_at: at(5010) });
    await expectCode(f.recoveryJobs.release({ job_id: id!, worker_id: 'w2', now: at(5021) }), 'conflict');
    expect(await f.recoveryJobs.claim({ worker_id: 'w3', lease_ms: 1, now: at(5021) })).toMatchObject({ job_id: id, claim_count: 3 });
    const retried = await f.recoveryJobs.fail({ job_id: id!, worker_id: 'w3', now: at(5021), failure, retry_at: at(99_000) });
    expect(retried.due_at).toBe(at(99_000));
  });

  it('complete is idempotent for its holder, also after the turn closed the job under it', async () => {
    const [a, b] = await seedJobs(f, 2);
    await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    const done = await f.recoveryJobs.complete({ job_id: a!, worker_id: 'w', now: at(1) });
    expect(await f.recoveryJobs.complete({ job_id: a!, worker_id: 'w', now: at(2) })).toEqual(done);
    await f.given({ turnId: 'u1', type: 'recovery.succeeded', payload: { recovery_id: 'r1', thread_id: THREAD } });
    expect(await f.recoveryJobs.complete({ job_id: b!, worker_id: 'w', now: at(3) })).toMatchObject({ status: 'succeeded', claimed_by: 'w' });
    await expectCode(f.recoveryJobs.fail({ job_id: b!, worker_id: 'w', now: at(3), failure }), 'conflict');
    // Closed jobs are never claimed again.
    expect(await f.recoveryJobs.claim({ worker_id: 'x', lease_ms: 1000, now: at(10 ** 9) })).toBeNull();
  });

  it('a newer retry.scheduled re-opens a job its holder completed', async () => {
    const [id] = await seedJobs(f, 1);
    await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 60_000, now: T0 });
    await f.recoveryJobs.complete({ job_id: id!, worker_id: 'w', now: at(1) });
    await f.given({ turnId: 'u1', type: 'retry.scheduled', payload: { recovery_id: 'r0', item_id: 'i1', attempt: 2, due_at: at(100), thread_id: THREAD } });
    expect(await f.recoveryJobs.claim({ worker_id: 'w2', lease_ms: 60_000, now: at(100) })).toMatchObject({ job_id: id, attempt: 2, status: 'claimed' });
  });

  it('scopes by workspace: claim filter, get and list answer not_found across workspaces', async () => {
    await f.seedTurn('u1');
    const [mine] = await seedJobs(f, 1);
    const [theirs] = await seedJobs(f, 1, { turnId: 'u9', workspaceId: OTHER_WS });
    expect(await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: T0, workspace_id: OTHER_WS })).toMatchObject({ job_id: theirs });
    expect(await f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: T0, workspace_id: OTHER_WS })).toBeNull();
    await expectCode(f.recoveryJobs.get({ workspace_id: WS, job_id: theirs! }), 'not_found');
    expect(await f.recoveryJobs.listForTurn({ workspace_id: WS, turn_id: 'u1' })).toEqual([await f.recoveryJobs.get({ workspace_id: WS, job_id: mine! })]);
    await expectCode(f.recoveryJobs.listForTurn({ workspace_id: OTHER_WS, turn_id: 'u1' }), 'not_found');
  });

  it('startup repair re-arms expired claims and reports {detected, repaired, remaining}', async () => {
    await seedJobs(f, 3);
    await f.recoveryJobs.claim({ worker_id: 'dead', lease_ms: 1000, now: T0 });
    await f.recoveryJobs.claim({ worker_id: 'dead', lease_ms: 1000, now: T0 });
    await f.recoveryJobs.claim({ worker_id: 'alive', lease_ms: 60_000, now: T0 });
    expect(await f.recoveryJobs.rearmExpiredClaims({ now: at(5000) })).toEqual({ detected: 2, repaired: 2, remaining: 0 });
    expect(await f.rows(`SELECT status, count(*) AS n FROM recovery_job GROUP BY status ORDER BY status`)).toEqual([
      { status: 'claimed', n: 1 },
      { status: 'pending', n: 2 },
    ]);
  });

  it('refuses bad params', async () => {
    await expectCode(f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 0 }), 'invalid_params');
    await expectCode(f.recoveryJobs.claim({ worker_id: 'w', lease_ms: 24 * 3600 * 1000 + 1 }), 'invalid_params');
    await expectCode(f.recoveryJobs.claim({ worker_id: 'bad id', lease_ms: 10 }), 'invalid_params');
    await expectCode(f.recoveryJobs.fail({ job_id: 'j', worker_id: 'w', failure: { ...failure, http_status: 42 } }), 'invalid_params');
  });
});
