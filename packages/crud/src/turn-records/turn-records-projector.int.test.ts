import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { openRecordsFixture, THREAD, WS, type RecordsFixture } from './testing/records-fixture.js';
import { rebuildReadModels } from '../repair/rebuild-read-models.js';
import { recoveryJobId } from '../recovery-jobs/recovery-job-rows.js';

const SHA = (c: string) => c.repeat(64);
const manifest = (version = '1') => ({
  prompt: { prompt_id: 'system', version, sha256: SHA('a') },
  skills: [{ skill_id: 'pdf', version: '2.0.0' }],
  tools: [{ name: 'read_file', origin: 'builtin', origin_id: null, schema_sha256: null }],
});

describe('TurnRecordsProjector and RecoveryJobProjector (given / when / then)', () => {
  let f: RecordsFixture;
  beforeEach(async () => {
    f = await openRecordsFixture();
  });
  afterEach(async () => f.cleanup());

  describe('prompt manifests and bindings', () => {
    const recorded = (turnId: string, sha: string, version = '1') => ({
      turnId,
      type: 'turn.prompt_manifest.recorded',
      payload: { turn_id: turnId, thread_id: THREAD, manifest: manifest(version), manifest_sha256: sha },
    });

    it('given nothing, when a manifest is recorded, then one row; replaying the event is noop_already_started', async () => {
      const [event] = await f.given(recorded('u1', SHA('1')));
      expect(await f.rows('SELECT turn_id, prompt_id, prompt_version, manifest_sha256, event_position FROM turn_prompt_manifest')).toEqual([
        { turn_id: 'u1', prompt_id: 'system', prompt_version: '1', manifest_sha256: SHA('1'), event_position: event!.position },
      ]);
      expect(await f.replay(event!)).toEqual({ outcome: 'noop_already_started' });
      expect(await f.when(recorded('u1', SHA('1')))).toEqual({ outcome: 'noop_already_started' });
      expect(await f.rows('SELECT count(*) AS n FROM turn_prompt_manifest')).toEqual([{ n: 1 }]);
    });

    it('given a manifest, when another one arrives for the same turn, then invariant_violation and the row is unchanged', async () => {
      await f.given(recorded('u1', SHA('1')));
      expect(await f.when(recorded('u1', SHA('2'), '2'))).toEqual({ outcome: 'invariant_violation', reason: expect.stringMatching(/different prompt manifest/) });
      expect(await f.rows('SELECT manifest_sha256 FROM turn_prompt_manifest')).toEqual([{ manifest_sha256: SHA('1') }]);
    });

    it('refuses an event whose payload names another turn than its stream, or breaks the schema', async () => {
      expect(await f.when({ ...recorded('u1', SHA('1')), turnId: 'u2' })).toMatchObject({ outcome: 'invariant_violation' });
      expect(await f.when({ turnId: 'u1', type: 'turn.skill.bound', payload: { turn_id: 'u1', thread_id: THREAD, binding: { skill_id: 'x' } } })).toMatchObject({
        outcome: 'invariant_violation',
        reason: expect.stringMatching(/turn\.skill\.bound payload/),
      });
      expect(await f.rows('SELECT count(*) AS n FROM turn_prompt_manifest')).toEqual([{ n: 0 }]);
    });

    it('skill and MCP bindings: one row per (turn, skill|server); replays are no-ops, a different snapshot a violation', async () => {
      const skill = (version: string) => ({
        turnId: 'u1',
        type: 'turn.skill.bound',
        payload: { turn_id: 'u1', thread_id: THREAD, binding: { skill_id: 'pdf', version, sha256: null } },
      });
      const mcp = (sha: string) => ({
        turnId: 'u1',
        type: 'turn.mcp.bound',
        payload: {
          turn_id: 'u1',
          thread_id: THREAD,
          binding: { server_id: 'github', server_version: null, tool_names: ['search', 'open_pr'], policy: { approval: 'on_request' } },
          binding_sha256: sha,
        },
      });
      const [s1, m1] = await f.given(skill('1.0.0'), mcp(SHA('c')));
      expect(await f.replay(s1!)).toEqual({ outcome: 'noop_already_started' });
      expect(await f.replay(m1!)).toEqual({ outcome: 'noop_already_started' });
      expect(await f.when(skill('1.1.0'))).toMatchObject({ outcome: 'invariant_violation' });
      expect(await f.when(mcp(SHA('d')))).toMatchObject({ outcome: 'invariant_violation' });
      expect(await f.rows('SELECT skill_id, version FROM turn_skill_binding')).toEqual([{ skill_id: 'pdf', version: '1.0.0' }]);
      expect(await f.rows('SELECT server_id, tool_names, policy FROM turn_mcp_binding')).toEqual([
        { server_id: 'github', tool_names: '["search","open_pr"]', policy: '{"approval":"on_request"}' },
      ]);
    });
  });

  describe('recovery jobs', () => {
    const opened = (recoveryId: string, extra: Record<string, unknown> = {}) => ({
      turnId: 'u1',
      type: 'recovery.opened',
      payload: { recovery_id: recoveryId, item_id: 'i1', reason: 'provider_error', thread_id: THREAD, ...extra },
      at: '2025-03-01T10:00:00.000Z',
    });
    const job = async (id: string) =>
      (await f.rows<Record<string, unknown>>('SELECT * FROM recovery_job WHERE job_id = ?', [id]))[0];

    it('given nothing, when recovery.opened arrives, then a pending job carrying the provider failure; replay is a no-op', async () => {
      const failure = { provider: 'anthropic', model: 'claude-x', http_status: 429, error_class: 'rate_limited', retry_after_ms: 30_000, message: 'slow down', extra: 1 };
      const [event] = await f.given(opened('r1', { failure }));
      const id = recoveryJobId(WS, 'u1', { recoveryId: 'r1' });
      expect(await job(id)).toMatchObject({
        workspace_id: WS,
        turn_id: 'u1',
        recovery_id: 'r1',
        item_id: 'i1',
        status: 'pending',
        attempt: 0,
        due_at: '2025-03-01T10:00:30.000Z',
        ready_at: '2025-03-01T10:00:30.000Z',
        provider: 'anthropic',
        model: 'claude-x',
        http_status: 429,
        error_class: 'rate_limited',
        retry_after_ms: 30_000,
        error_message: 'slow down',
        claim_count: 0,
      });
      expect(await f.replay(event!)).toEqual({ outcome: 'noop_already_started' });
      expect(await f.rows('SELECT count(*) AS n FROM recovery_job')).toEqual([{ n: 1 }]);
    });

    it('uses due_at when the event gives one, and the reason as error class without a failure', async () => {
      await f.given(opened('r1', { due_at: '2025-03-01T11:00:00Z' }));
      expect(await job(recoveryJobId(WS, 'u1', { recoveryId: 'r1' }))).toMatchObject({
        due_at: '2025-03-01T11:00:00.000Z',
        error_class: 'provider_error',
        provider: null,
      });
    });

    it('retry.scheduled re-arms the job for a newer attempt and drops a claim; an older or equal attempt is a no-op', async () => {
      await f.given(opened('r1'));
      const id = recoveryJobId(WS, 'u1', { recoveryId: 'r1' });
      await f.store.context.write((ctx) =>
        ctx.run(`UPDATE recovery_job SET status = 'claimed', claimed_by = 'w1', claim_expires_at = '2099-01-01T00:00:00.000Z', ready_at = '2099-01-01T00:00:00.000Z' WHERE job_id = ?`, [id]),
      );
      const retry = (attempt: number, recovery = true) => ({
        turnId: 'u1',
        type: 'retry.scheduled',
        payload: { ...(recovery ? { recovery_id: 'r1' } : {}), item_id: 'i1', attempt, due_at: '2025-03-01T10:05:00.000Z', thread_id: THREAD },
      });
      const [event] = await f.given(retry(2));
      expect(await job(id)).toMatchObject({ status: 'pending', attempt: 2, due_at: '2025-03-01T10:05:00.000Z', ready_at: '2025-03-01T10:05:00.000Z', claimed_by: null });
      expect(await f.replay(event!)).toEqual({ outcome: 'noop_already_started' });
      // Without a recovery id, the item's open job is the one meant.
      expect(await f.when(retry(3, false))).toEqual({ outcome: 'applied' });
      expect(await job(id)).toMatchObject({ attempt: 3 });
      expect(await f.rows('SELECT count(*) AS n FROM recovery_job')).toEqual([{ n: 1 }]);
    });

    it('retry.scheduled alone opens a job, keyed by the item when it names no recovery', async () => {
      await f.given({ turnId: 'u1', type: 'retry.scheduled', payload: { item_id: 'i9', attempt: 2, due_at: '2025-03-01T10:05:00.000Z', reason: 'timeout', thread_id: THREAD } });
      expect(await job(recoveryJobId(WS, 'u1', { itemId: 'i9' }))).toMatchObject({ recovery_id: null, item_id: 'i9', attempt: 2, status: 'pending', error_class: 'timeout' });
    });

    it('recovery.succeeded / exhausted close the job; replaying is noop_already_terminal; an unknown recovery is a violation', async () => {
      await f.given(opened('r1'), opened('r2'));
      const [closed] = await f.given({ turnId: 'u1', type: 'recovery.succeeded', payload: { recovery_id: 'r1', thread_id: THREAD } });
      await f.given({ turnId: 'u1', type: 'recovery.exhausted', payload: { recovery_id: 'r2', reason: 'gave up', thread_id: THREAD } });
      expect(await job(recoveryJobId(WS, 'u1', { recoveryId: 'r1' }))).toMatchObject({ status: 'succeeded', ready_at: null, closed_at: expect.any(String) });
      expect(await job(recoveryJobId(WS, 'u1', { recoveryId: 'r2' }))).toMatchObject({ status: 'exhausted', ready_at: null });
      expect(await f.replay(closed!)).toEqual({ outcome: 'noop_already_terminal' });
      expect(await f.when(opened('r1'))).toEqual({ outcome: 'noop_already_terminal' });
      expect(await f.when({ turnId: 'u1', type: 'recovery.succeeded', payload: { recovery_id: 'nope', thread_id: THREAD } })).toMatchObject({
        outcome: 'invariant_violation',
      });
    });

    it('a turn ending abandons its open jobs and stamps its retained context; replaying the end is a no-op', async () => {
      await f.seedTurn('u1');
      await f.records.retainLlmContext({ workspace_id: WS, thread_id: THREAD, turn_id: 'u1', revision: 1, context: { messages: [] } });
      await f.given(opened('r1'));
      const [ended] = await f.given({ turnId: 'u1', type: 'turn.failed', payload: { error: { code: 'x', message: 'y' }, thread_id: THREAD }, at: '2025-03-02T00:00:00.000Z' });
      expect(await job(recoveryJobId(WS, 'u1', { recoveryId: 'r1' }))).toMatchObject({ status: 'abandoned', ready_at: null });
      expect(await f.rows('SELECT turn_terminal_at FROM turn_llm_context')).toEqual([{ turn_terminal_at: '2025-03-02T00:00:00.000Z' }]);
      expect(await f.replay(ended!)).toEqual({ outcome: 'noop_already_terminal' });
    });
  });

  it('rebuild: emptying its tables and replaying the journal gives the same rows', async () => {
    await f.given(
      { turnId: 'u1', type: 'turn.prompt_manifest.recorded', payload: { turn_id: 'u1', thread_id: THREAD, manifest: manifest(), manifest_sha256: SHA('1') } },
      { turnId: 'u1', type: 'turn.skill.bound', payload: { turn_id: 'u1', thread_id: THREAD, binding: { skill_id: 'pdf', version: '1', sha256: null } } },
      { turnId: 'u1', type: 'recovery.opened', payload: { recovery_id: 'r1', reason: 'x', thread_id: THREAD } },
      { turnId: 'u1', type: 'retry.scheduled', payload: { recovery_id: 'r1', item_id: 'i1', attempt: 2, due_at: '2025-03-01T10:05:00.000Z', thread_id: THREAD } },
      { turnId: 'u1', type: 'recovery.opened', payload: { recovery_id: 'r2', reason: 'x', thread_id: THREAD } },
      { turnId: 'u1', type: 'recovery.exhausted', payload: { recovery_id: 'r2', thread_id: THREAD } },
    );
    const tables = f.projectors.flatMap((p) => p.tables);
    const snapshot = async () => Promise.all(tables.map((table) => f.rows(`SELECT * FROM ${table} ORDER BY 1, 2`)));
    const before = await snapshot();
    // The same projectors the event log appends through, replaying every journaled event into emptied tables.
    const report = await f.store.context.write((ctx) => rebuildReadModels(ctx, f.log));
    expect(report.tables).toEqual(expect.arrayContaining(tables));
    expect(report.outcomes).toEqual({ applied: 6 });
    expect(await snapshot()).toEqual(before);
  });
});
