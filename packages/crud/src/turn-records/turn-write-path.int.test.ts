import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { TurnEventPayload } from '@cairn/protocol';
import { rebuildReadModels } from '../repair/rebuild-read-models.js';
import { expectCode } from '../testing/expect-error.js';
import { openTempStore } from '../testing/temp-store.js';
import { openTurnFixture, text, THREAD, WS, type TurnFixture } from '../turns/testing/turn-fixture.js';
import { recoveryJobId } from '../recovery-jobs/recovery-job-rows.js';
import type { RecoveryJobStore } from '../recovery-jobs/recovery-job-store.js';
import type { TurnRecordsStore } from './turn-records-store.js';

const failure = { provider: 'anthropic', model: 'claude-x', http_status: 529, error_class: 'overloaded', retry_after_ms: 2000, message: 'Overloaded' };
const call = (item_id: string): TurnEventPayload => ({ type: 'item.started', item_id, item_type: 'tool_call' });

/**
 * The turn records on the real turn write path: TurnProjector first, then the turn-record
 * and recovery-job projectors, all run by the event log in the transaction that journals the event.
 */
describe('turn records on the turn write path', () => {
  let fx: TurnFixture;
  let records: TurnRecordsStore;
  let recoveryJobs: RecoveryJobStore;
  beforeEach(async () => {
    fx = await openTurnFixture();
    ({ turnRecords: records, recoveryJobs } = fx.store);
  });
  afterEach(async () => fx.cleanup());

  it('a recovery runs its course: opened with provider failure, claimed, re-armed by retry.scheduled, closed by recovery.succeeded', async () => {
    await fx.append('u1', text('do it'));
    await fx.append('u1', call('c1'));
    await fx.append('u1', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'provider_error', failure });
    const id = recoveryJobId(WS, 'u1', { recoveryId: 'r1' });
    const opened = await recoveryJobs.get({ workspace_id: WS, job_id: id });
    expect(opened).toMatchObject({ status: 'pending', item_id: 'c1', failure: { ...failure } });
    expect((await fx.turns.get({ workspace_id: WS, turn_id: 'u1' })).turn.status).toBe('recovering');

    const claimed = await recoveryJobs.claim({ worker_id: 'gw', lease_ms: 60_000, now: opened.due_at });
    expect(claimed).toMatchObject({ job_id: id, status: 'claimed' });
    await fx.append('u1', { type: 'retry.scheduled', recovery_id: 'r1', item_id: 'c1', attempt: 2, due_at: '2030-01-01T00:00:00.000Z' });
    expect(await recoveryJobs.get({ workspace_id: WS, job_id: id })).toMatchObject({ status: 'pending', attempt: 2, due_at: '2030-01-01T00:00:00.000Z', claimed_by: null });
    // The claim was handed back by scheduling: the former holder no longer holds it.
    await expectCode(recoveryJobs.complete({ job_id: id, worker_id: 'gw' }), 'conflict');

    await fx.append('u1', { type: 'retry.attempt_started', recovery_id: 'r1', item_id: 'c1', attempt: 2 });
    await fx.append('u1', { type: 'recovery.succeeded', recovery_id: 'r1' });
    expect(await recoveryJobs.get({ workspace_id: WS, job_id: id })).toMatchObject({ status: 'succeeded', closed_at: expect.any(String) });
    // A duplicate from the runtime is a no-op for both projectors.
    expect(await fx.append('u1', { type: 'recovery.succeeded', recovery_id: 'r1' })).toMatchObject({ outcome: 'noop_duplicate_terminal', position: null });
  });

  it('record events share the turn stream without disturbing the turn; the turn ending stamps the context and abandons open jobs', async () => {
    await fx.append('u1', text('hi'));
    const ref = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };
    await records.recordPromptManifest({ ...ref, manifest: { prompt: { prompt_id: 'sys', version: '4', sha256: 'a'.repeat(64) }, skills: [], tools: [] } });
    await records.bindSkill({ ...ref, binding: { skill_id: 'pdf', version: '1', sha256: null } });
    await records.retainLlmContext({ ...ref, revision: 1, context: { messages: [{ role: 'user', content: 'hi' }] } });
    await fx.append('u1', call('c1'));
    await fx.append('u1', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'timeout' });
    const ended = await fx.append('u1', { type: 'turn.failed', error: { code: 'gave_up', message: 'no' } });
    expect(ended.outcome).toBe('applied');

    const stream = await fx.store.context.read((q) => q.all<{ stream_seq: number; type: string }>(`SELECT stream_seq, type FROM journal_event WHERE stream_id = 'u1' ORDER BY stream_seq`));
    expect(stream.map((e) => e.type)).toEqual([
      'turn.started',
      'turn.prompt_manifest.recorded',
      'turn.skill.bound',
      'turn.llm_context.retained',
      'item.started',
      'recovery.opened',
      'turn.failed',
    ]);
    expect((await fx.turns.get({ workspace_id: WS, turn_id: 'u1' })).turn.status).toBe('failed');
    const context = await records.getLlmContext({ workspace_id: WS, turn_id: 'u1' });
    expect(context.turn_terminal_at).toEqual(expect.any(String));
    expect(await recoveryJobs.listForTurn({ workspace_id: WS, turn_id: 'u1' })).toMatchObject([{ status: 'abandoned' }]);
    expect(await recoveryJobs.claim({ worker_id: 'w', lease_ms: 1000, now: '2099-01-01T00:00:00.000Z' })).toBeNull();
    // Pruning waits for the TTL from the turn's end.
    expect(await records.pruneLlmContext({ now: context.turn_terminal_at! })).toMatchObject({ pruned: 0 });
    expect(await records.pruneLlmContext({ now: '2099-01-01T00:00:00.000Z' })).toMatchObject({ pruned: 1 });
  });

  it('a rebuild of every turn-stream read model from the journal reproduces the turn records', async () => {
    await fx.append('u1', text('hi'));
    const ref = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };
    await records.recordPromptManifest({ ...ref, manifest: { prompt: { prompt_id: 'sys', version: '4', sha256: 'a'.repeat(64) }, skills: [], tools: [] } });
    await records.bindMcp({ ...ref, binding: { server_id: 'gh', server_version: null, tool_names: ['search'], policy: { approval: 'never' } } });
    await records.retainLlmContext({ ...ref, revision: 1, context: { messages: [] } });
    await fx.append('u1', call('c1'));
    await fx.append('u1', { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'timeout', failure });
    await fx.append('u1', { type: 'recovery.exhausted', recovery_id: 'r1' });
    await fx.append('u1', { type: 'recovery.opened', recovery_id: 'r2', item_id: 'c1', reason: 'timeout' });
    const tables = ['turn_prompt_manifest', 'turn_mcp_binding', 'recovery_job', 'turn_llm_context'];
    const snapshot = () => Promise.all(tables.map((t) => fx.rows(t)));
    const before = await snapshot();
    const report = await fx.store.context.write((ctx) => rebuildReadModels(ctx, fx.store.events.log));
    expect(report.violations).toEqual([]);
    expect(report.tables).toEqual(expect.arrayContaining(['turn_prompt_manifest', 'recovery_job']));
    expect(report.tables).not.toContain('turn_llm_context');
    expect(await snapshot()).toEqual(before);
  });
});

it('the facade wires store.turnRecords and store.recoveryJobs onto the same turn stream as store.turns', async () => {
  const temp = await openTempStore();
  try {
    const { store } = temp;
    await store.workspaces.create({ workspace_id: WS, name: 'W' });
    await store.threads.start({ workspace_id: WS, thread_id: THREAD });
    await store.turns.start({ workspace_id: WS, thread_id: THREAD, turn_id: 'u1', input: [{ type: 'text', text: 'hi' }] });
    const ref = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };
    await store.turnRecords.bindSkill({ ...ref, binding: { skill_id: 'pdf', version: '1', sha256: null } });
    await store.turns.appendEvent({ ...ref, idempotency_key: 'k1', event: call('c1') });
    await store.turns.appendEvent({ ...ref, idempotency_key: 'k2', event: { type: 'recovery.opened', recovery_id: 'r1', item_id: 'c1', reason: 'rate_limited' } });
    expect(await store.recoveryJobs.listForTurn({ workspace_id: WS, turn_id: 'u1' })).toMatchObject([{ status: 'pending', failure: { error_class: 'rate_limited' } }]);
    expect((await store.turnRecords.listBindings({ workspace_id: WS, turn_id: 'u1' })).skills).toHaveLength(1);
  } finally {
    await temp.cleanup();
  }
});
