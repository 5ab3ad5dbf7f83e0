import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectCode } from '../testing/expect-error.js';
import { OTHER_THREAD, OTHER_WS, openRecordsFixture, THREAD, WS, type RecordsFixture } from './testing/records-fixture.js';

const SHA = (c: string) => c.repeat(64);
const manifest = {
  prompt: { prompt_id: 'system', version: '3', sha256: SHA('a') },
  skills: [{ skill_id: 'pdf', version: '2.0.0' }],
  tools: [
    { name: 'read_file', origin: 'builtin' as const, origin_id: null, schema_sha256: null },
    { name: 'search', origin: 'mcp' as const, origin_id: 'github', schema_sha256: SHA('b') },
  ],
};
const ref = { workspace_id: WS, thread_id: THREAD, turn_id: 'u1' };

/** A store with turn `u1` in WS/THREAD (the `ref` above) and `u-other` in another workspace. */
async function openWithTwoTurns(): Promise<RecordsFixture> {
  const f = await openRecordsFixture();
  await f.seedTurn('u1');
  await f.seedTurn('u-other', { workspaceId: OTHER_WS, threadId: OTHER_THREAD });
  return f;
}

describe('store.turnRecords: manifests and bindings', () => {
  let f: RecordsFixture;
  beforeAll(async () => {
    f = await openWithTwoTurns();
  });
  afterAll(async () => f.cleanup());

  const events = (type: string) => f.rows<{ payload: string }>('SELECT payload FROM journal_event WHERE type = ? ORDER BY position', [type]);

  it('records a manifest with its journal event, answers it back, and a retry is recorded: false with no second event', async () => {
    const first = await f.records.recordPromptManifest({ ...ref, manifest });
    expect(first).toEqual({
      recorded: true,
      manifest: { ...ref, ...manifest, manifest_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), recorded_at: expect.any(String), event_position: expect.any(Number) },
    });
    expect(await f.records.getPromptManifest({ workspace_id: WS, turn_id: 'u1' })).toEqual(first.manifest);
    const again = await f.records.recordPromptManifest({ ...ref, manifest: { ...manifest, tools: [...manifest.tools] } });
    expect(again).toEqual({ recorded: false, manifest: first.manifest });
    const journaled = await events('turn.prompt_manifest.recorded');
    expect(journaled).toHaveLength(1);
    expect(JSON.parse(journaled[0]!.payload)).toMatchObject({ turn_id: 'u1', manifest_sha256: first.manifest.manifest_sha256, manifest: { prompt: manifest.prompt } });
  });

  it('refuses a different manifest for the same turn with conflict, writing nothing', async () => {
    await expectCode(f.records.recordPromptManifest({ ...ref, manifest: { ...manifest, skills: [] } }), 'conflict');
    expect(await events('turn.prompt_manifest.recorded')).toHaveLength(1);
  });

  it('binds skills and MCP servers; the same binding again is bound: false; another version is conflict', async () => {
    const skill = await f.records.bindSkill({ ...ref, binding: { skill_id: 'pdf', version: '2.0.0', sha256: SHA('c') } });
    expect(skill).toMatchObject({ bound: true, binding: { skill_id: 'pdf', version: '2.0.0', sha256: SHA('c'), turn_id: 'u1' } });
    expect(await f.records.bindSkill({ ...ref, binding: { skill_id: 'pdf', version: '2.0.0', sha256: SHA('c') } })).toEqual({ ...skill, bound: false });
    await expectCode(f.records.bindSkill({ ...ref, binding: { skill_id: 'pdf', version: '2.1.0', sha256: SHA('c') } }), 'conflict');

    const binding = { server_id: 'github', server_version: '1.4', tool_names: ['search', 'open_pr'], policy: { approval: 'on_request', allowed: ['search'] } };
    const mcp = await f.records.bindMcp({ ...ref, binding });
    expect(mcp).toMatchObject({ bound: true, binding: { ...binding, turn_id: 'u1' } });
    expect((await f.records.bindMcp({ ...ref, binding: { ...binding, policy: { allowed: ['search'], approval: 'on_request' } } })).bound).toBe(false);
    await expectCode(f.records.bindMcp({ ...ref, binding: { ...binding, tool_names: ['search'] } }), 'conflict');

    expect(await f.records.listBindings({ workspace_id: WS, turn_id: 'u1' })).toEqual({ skills: [skill.binding], mcp: [mcp.binding] });
    expect(await events('turn.skill.bound')).toHaveLength(1);
    expect(await events('turn.mcp.bound')).toHaveLength(1);
  });

  it('redacts secrets out of an MCP policy snapshot, in the row and in the journal', async () => {
    const policy = { approval: 'never', headers: { Authorization: 'Bearer abcdefghijklmnopqrstuvwx' }, api_key: 'sk-live-0123456789abcdefghij', max_tokens: 100 };
    const { binding } = await f.records.bindMcp({ ...ref, binding: { server_id: 'slack', server_version: null, tool_names: [], policy } });
    expect(binding.policy).toEqual({ approval: 'never', headers: { Authorization: '[redacted]' }, api_key: '[redacted]', max_tokens: 100 });
    const text = JSON.stringify(await f.rows('SELECT * FROM turn_mcp_binding')) + JSON.stringify(await f.rows('SELECT payload FROM journal_event'));
    expect(text).not.toContain('abcdefghijklmnopqrstuvwx');
    expect(text).not.toContain('sk-live-0123456789');
  });

  it('answers not_found for an unknown turn, a turn of another workspace, or of another thread; never leaking which', async () => {
    await expectCode(f.records.recordPromptManifest({ ...ref, turn_id: 'nope', manifest }), 'not_found');
    await expectCode(f.records.recordPromptManifest({ ...ref, turn_id: 'u-other', manifest }), 'not_found');
    await expectCode(f.records.recordPromptManifest({ ...ref, thread_id: OTHER_THREAD, manifest }), 'not_found');
    await expectCode(f.records.bindSkill({ ...ref, turn_id: 'u-other', binding: { skill_id: 's', version: '1', sha256: null } }), 'not_found');
    await expectCode(f.records.getPromptManifest({ workspace_id: OTHER_WS, turn_id: 'u1' }), 'not_found');
    await expectCode(f.records.getPromptManifest({ workspace_id: OTHER_WS, turn_id: 'u-other' }), 'not_found'); // exists, none recorded
    await expectCode(f.records.listBindings({ workspace_id: OTHER_WS, turn_id: 'u1' }), 'not_found');
  });

  it('refuses bad input with invalid_params', async () => {
    await expectCode(f.records.recordPromptManifest({ ...ref, manifest: { ...manifest, prompt: { ...manifest.prompt, sha256: 'xyz' } } }), 'invalid_params');
    await expectCode(f.records.recordPromptManifest({ ...ref, turn_id: 'a/b', manifest }), 'invalid_params');
    await expectCode(f.records.recordPromptManifest({ ...ref, manifest, extra: 1 } as never), 'invalid_params');
    await expectCode(f.records.bindSkill({ ...ref, binding: { skill_id: '', version: '1', sha256: null } }), 'invalid_params');
    await expectCode(f.records.bindMcp({ ...ref, binding: { server_id: 's', server_version: null, tool_names: ['a', 'a'], policy: {} } }), 'invalid_params');
    await expectCode(f.records.getPromptManifest({ workspace_id: WS } as never), 'invalid_params');
  });
});

describe('store.turnRecords: retained LLM context', () => {
  let f: RecordsFixture;
  beforeAll(async () => {
    f = await openWithTwoTurns();
  });
  afterAll(async () => f.cleanup());

  const secretContext = {
    messages: [
      { role: 'system', content: 'You are helpful.' },
      { role: 'user', content: 'use key sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX1234 and header Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijkl' },
      { role: 'tool', content: 'ok', tool_call: { arguments: { password: 'hunter2-hunter2', query: 'weather' } } },
    ],
    tool_state: { github_token: 'ghp_0123456789abcdefghijklmnopqrstuvwxyzAB', page_token: 'p2', pending: ['call_1'] },
    provider: 'openai',
    model: 'gpt-x',
  };

  it('stores the context once, redacted; the journal event carries only revision, hash and size', async () => {
    const result = await f.records.retainLlmContext({ ...ref, revision: 1, context: secretContext });
    expect(result).toMatchObject({ outcome: 'retained', info: { revision: 1, message_count: 3, turn_terminal_at: null, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });

    const stored = await f.records.getLlmContext({ workspace_id: WS, turn_id: 'u1' });
    expect(stored.context.messages[1]).toEqual({ role: 'user', content: 'use key [redacted] and header Authorization: Bearer [redacted]' });
    expect(stored.context.messages[2]).toEqual({ role: 'tool', content: 'ok', tool_call: { arguments: { password: '[redacted]', query: 'weather' } } });
    expect(stored.context.tool_state).toEqual({ github_token: '[redacted]', page_token: 'p2', pending: ['call_1'] });

    const everything = JSON.stringify(await f.rows('SELECT * FROM turn_llm_context')) + JSON.stringify(await f.rows('SELECT * FROM journal_event'));
    for (const secret of ['sk-proj-ABCDEF', 'eyJhbGciOiJIUzI1NiJ9', 'hunter2', 'ghp_0123456789']) expect(everything).not.toContain(secret);

    const [event] = await f.rows<{ payload: string; position: number }>(`SELECT payload, position FROM journal_event WHERE type = 'turn.llm_context.retained'`);
    const payload = JSON.parse(event!.payload) as Record<string, unknown>;
    expect(payload).toEqual({
      type: 'turn.llm_context.retained',
      turn_id: 'u1',
      thread_id: THREAD,
      revision: 1,
      sha256: result.info.sha256,
      size_bytes: result.info.size_bytes,
      message_count: 3,
    });
    expect(event!.payload).not.toContain('You are helpful');
    expect(result.info.event_position).toBe(event!.position);

    // The stored body is exactly what the journal's hash and size attest.
    const [row] = await f.rows<{ content: string }>('SELECT content FROM turn_llm_context');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(row!.content).digest('hex')).toBe(payload.sha256);
    expect(Buffer.byteLength(row!.content)).toBe(payload.size_bytes);
  });

  it('moves revisions forward only: same revision and content is a no-op, other content conflict, older stale', async () => {
    expect((await f.records.retainLlmContext({ ...ref, revision: 1, context: secretContext })).outcome).toBe('noop_same_revision');
    await expectCode(f.records.retainLlmContext({ ...ref, revision: 1, context: { messages: [] } }), 'conflict');
    const second = await f.records.retainLlmContext({ ...ref, revision: 3, context: { messages: [{ role: 'user', content: 'hi' }] } });
    expect(second).toMatchObject({ outcome: 'retained', info: { revision: 3, message_count: 1 } });
    expect((await f.records.retainLlmContext({ ...ref, revision: 2, context: { messages: [] } })).outcome).toBe('noop_stale_revision');
    expect((await f.records.getLlmContext({ workspace_id: WS, turn_id: 'u1' })).context).toEqual({ messages: [{ role: 'user', content: 'hi' }] });
    expect(await f.rows(`SELECT count(*) AS n FROM journal_event WHERE type = 'turn.llm_context.retained'`)).toEqual([{ n: 2 }]);
  });

  it('a context retained after the turn ended starts its TTL at the turn end', async () => {
    await f.seedTurn('u-done', { status: 'completed', completedAt: '2025-02-01T00:00:00.000Z' });
    const { info } = await f.records.retainLlmContext({ ...ref, turn_id: 'u-done', revision: 1, context: { messages: [] } });
    expect(info.turn_terminal_at).toBe('2025-02-01T00:00:00.000Z');
  });

  it('answers not_found for other workspaces and for turns without context; invalid_params for bad input', async () => {
    await expectCode(f.records.retainLlmContext({ ...ref, turn_id: 'u-other', revision: 1, context: { messages: [] } }), 'not_found');
    await expectCode(f.records.getLlmContext({ workspace_id: OTHER_WS, turn_id: 'u1' }), 'not_found');
    await expectCode(f.records.getLlmContext({ workspace_id: OTHER_WS, turn_id: 'u-other' }), 'not_found');
    await expectCode(f.records.retainLlmContext({ ...ref, revision: 0, context: { messages: [] } }), 'invalid_params');
    await expectCode(f.records.retainLlmContext({ ...ref, revision: 1, context: { messages: 'x' } } as never), 'invalid_params');
    await expectCode(f.records.retainLlmContext({ ...ref, revision: 9, context: { messages: [Number.NaN] } }), 'invalid_params');
  });
});
