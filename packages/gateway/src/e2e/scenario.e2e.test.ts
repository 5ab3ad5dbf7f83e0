import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCairnClient, isCairnRpcError, type CairnClient } from '@cairn/client';
import type { AnyNotification, TurnEventEntry, TurnEventPayload } from '@cairn/protocol';
import type { TestGateway } from '@cairn/gateway/testing';
import { builtinReply, replyDeltas } from '../agent/builtin-runtime.js';
import { allPages, checkedCall, expectNotificationValid, gatewayAt, journalOfTurn, tempRoot, waitUntil } from './testing/e2e-support.js';

// One scenario through the typed client against real gateways: the built-in runtime end to end,
// an external runtime reporting through turn/event/append, and cancellation of both.

const dirs = tempRoot('cairn-scenario-');
let builtin: TestGateway;
let external: TestGateway;
let slow: TestGateway;
const clients: CairnClient[] = [];

function connect(gateway: TestGateway): { client: CairnClient; seen: AnyNotification[] } {
  const client = createCairnClient({ url: gateway.rpcUrl, token: gateway.operatorToken, reconnect: { maxAttempts: 3 } });
  clients.push(client);
  const seen: AnyNotification[] = [];
  client.onAny((n) => seen.push(n));
  return { client, seen };
}

const ofTurn = (seen: AnyNotification[], turnId: string) => seen.filter((n) => 'turn_id' in n.params && n.params.turn_id === turnId);

beforeAll(async () => {
  [builtin, external, slow] = await Promise.all([
    gatewayAt(dirs.home('builtin'), { agent: { builtin_delta_interval_ms: 0 } }),
    gatewayAt(dirs.home('external'), { agent: { runtime: 'external' } }),
    gatewayAt(dirs.home('slow'), { agent: { builtin_delta_interval_ms: 200 } }),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([builtin?.close(), external?.close(), slow?.close()]);
  dirs.cleanup();
}, 60_000);

describe('a built-in turn through @cairn/client', () => {
  const input = 'hello scenario marmalade';
  const turnId = 'turn-scenario-1';
  let workspaceId: string;
  let threadId: string;

  it('streams every notification in order, each valid against its schema, seq strictly increasing', async () => {
    const { client, seen: all } = connect(builtin);
    const { workspace } = await checkedCall(client, 'workspace/default', {});
    workspaceId = workspace.workspace_id;
    const { thread } = await checkedCall(client, 'thread/start', { workspace_id: workspaceId, title: 'scenario' });
    threadId = thread.thread_id;
    const started = await checkedCall(client, 'turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: input }] });
    expect(started).toMatchObject({ outcome: 'applied', duplicate: false, turn: { turn_id: turnId, status: 'running' } });

    await waitUntil(() => all.some((n) => n.method === 'turn/completed'), 'turn/completed');
    const reply = builtinReply({ input: [{ type: 'text', text: input }] });
    const deltaCount = replyDeltas(reply).length;

    for (const n of all) expectNotificationValid(n);
    // The echo tool's file is captured before the turn completes (artifact/created, then its
    // binding); its projection follows from the worker whenever it runs, so it is left out here.
    const seen = all.filter((n) => n.method !== 'artifact/projection/updated');
    const seqs = seen.map((n) => n.params.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
    expect(seen.every((n) => n.params.workspace_id === workspaceId)).toBe(true);

    expect(seen.map((n) => n.method)).toEqual([
      'thread/started',
      'turn/started',
      'item/started',
      ...Array<string>(deltaCount).fill('item/agent_message/delta'),
      'item/completed',
      'item/started',
      'item/completed',
      'artifact/created',
      'thread/artifacts/changed',
      'turn/completed',
    ]);
    expect(seen[0]!.params).toMatchObject({ thread_id: threadId, thread: { thread_id: threadId, title: 'scenario' } });
    expect(seen[1]!.params).toMatchObject({ turn_id: turnId, seq: started.seq, input: [{ type: 'text', text: input }] });
    expect(seen[2]!.params).toMatchObject({ item_id: 'msg_1', item_type: 'agent_message' });
    const deltas = seen.slice(3, 3 + deltaCount) as Array<{ params: { delta: string; item_id: string } }>;
    expect(deltas.every((d) => d.params.item_id === 'msg_1')).toBe(true);
    const messageDone = seen[3 + deltaCount]!.params as { item_id: string; status: string; held_release?: string };
    expect(messageDone).toMatchObject({ item_id: 'msg_1', status: 'completed' });
    expect(deltas.map((d) => d.params.delta).join('') + (messageDone.held_release ?? '')).toBe(reply);
    expect(seen[4 + deltaCount]!.params).toMatchObject({ item_id: 'tool_1', item_type: 'tool_call', payload: { tool: 'echo' } });
    expect(seen[5 + deltaCount]!.params).toMatchObject({ item_id: 'tool_1', status: 'completed' });
    expect(seen[6 + deltaCount]!.params).toMatchObject({ thread_id: threadId, artifact: { name: `${turnId}-reply.md`, source_kind: 'tool_output' } });
    expect(seen[7 + deltaCount]!.params).toMatchObject({ thread_id: threadId, binding: { turn_id: turnId, item_id: 'tool_1', binding_kind: 'tool_output' } });
    expect(seen[8 + deltaCount]!.params).toMatchObject({ turn_id: turnId, status: 'completed', usage: { input_tokens: 3 } });
    expect(client.lastSeq(workspaceId)).toBe(seqs.at(-1));
  });

  it('reads the turn back: thread/history, thread/search, turn/get, turn/items, turn/timeline', async () => {
    const { client } = connect(builtin);
    const reply = builtinReply({ input: [{ type: 'text', text: input }] });

    const history = await allPages((cursor) => checkedCall(client, 'thread/history', { workspace_id: workspaceId, thread_id: threadId, ...(cursor ? { cursor } : {}) }));
    expect(history).toHaveLength(1);
    expect(history[0]!.turn).toMatchObject({ turn_id: turnId, status: 'completed', item_count: 2 });
    expect(history[0]!.items.map((i) => [i.item_id, i.item_type, i.status])).toEqual([
      ['msg_1', 'agent_message', 'completed'],
      ['tool_1', 'tool_call', 'completed'],
    ]);
    expect(history[0]!.items[0]!.text).toBe(reply);

    const inputHits = await checkedCall(client, 'thread/search', { workspace_id: workspaceId, query: 'marmalade' });
    expect(inputHits.items.some((h) => h.turn_id === turnId && h.thread_id === threadId)).toBe(true);
    const replyHits = await checkedCall(client, 'thread/search', { workspace_id: workspaceId, query: 'journal', thread_id: threadId });
    expect(replyHits.items.some((h) => h.turn_id === turnId && h.kind === 'item' && h.item_id === 'msg_1')).toBe(true);
    const none = await checkedCall(client, 'thread/search', { workspace_id: workspaceId, query: 'xylophoneabsent' });
    expect(none.items).toEqual([]);

    const got = await checkedCall(client, 'turn/get', { workspace_id: workspaceId, turn_id: turnId, include_status_history: true });
    expect(got.turn).toMatchObject({ turn_id: turnId, thread_id: threadId, status: 'completed', thread_seq: 1 });
    expect(got.status_history?.map((s) => s.to_status)).toEqual(['running', 'completed']);

    const items = await allPages((cursor) => checkedCall(client, 'turn/items', { workspace_id: workspaceId, turn_id: turnId, ...(cursor ? { cursor } : {}) }));
    expect(items.map((i) => i.ordinal)).toEqual([1, 2]);

    const timeline = await allPages((cursor) => checkedCall(client, 'turn/timeline', { workspace_id: workspaceId, turn_id: turnId, limit: 3, ...(cursor ? { cursor } : {}) }));
    const deltaCount = replyDeltas(reply).length;
    // The timeline is the turn's steps without the streamed deltas; the journal holds those too.
    expect(timeline.map((e) => e.type)).toEqual(['turn.started', 'item.started', 'item.completed', 'item.started', 'item.completed', 'turn.completed']);
    const journal = await journalOfTurn(builtin, workspaceId, turnId);
    expect(journal.map((e) => e.type)).toEqual([
      'turn.started',
      'item.started',
      ...Array<string>(deltaCount).fill('item.agent_message.delta'),
      'item.completed',
      'item.started',
      'item.completed',
      'turn.completed',
    ]);
    expect(journal.map((e) => e.streamSeq)).toEqual(journal.map((_, i) => i + 1));
    expect(timeline.map((e) => e.workspace_seq)).toEqual(journal.filter((e) => e.type !== 'item.agent_message.delta').map((e) => e.workspaceSeq));
  });
});

describe('an external runtime reporting through turn/event/append', () => {
  let client: CairnClient;
  let seen: AnyNotification[];
  let workspaceId: string;
  let threadId: string;
  const turnId = 'turn-external-1';
  const entry = (key: string, event: TurnEventPayload): TurnEventEntry => ({ thread_id: threadId, turn_id: turnId, idempotency_key: key, event });
  const deltas = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => entry(`ext:${from + i}`, { type: 'item.agent_message.delta', item_id: 'msg_1', delta: `word${from + i} ` }));
  const timelineOf = (turn: string) => allPages((cursor) => checkedCall(client, 'turn/timeline', { workspace_id: workspaceId, turn_id: turn, ...(cursor ? { cursor } : {}) }));
  const journalOf = (turn: string) => journalOfTurn(external, workspaceId, turn);

  beforeAll(async () => {
    ({ client, seen } = connect(external));
    workspaceId = (await checkedCall(client, 'workspace/default', {})).workspace.workspace_id;
    threadId = (await checkedCall(client, 'thread/start', { workspace_id: workspaceId, title: 'external' })).thread.thread_id;
  });

  it('records only turn.started on turn/start, then appends batches of 8, a retried batch writing nothing twice', async () => {
    const started = await checkedCall(client, 'turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'run outside' }] });
    expect(started.turn.status).toBe('running');
    expect((await timelineOf(turnId)).map((e) => e.type)).toEqual(['turn.started']);
    expect((await journalOf(turnId)).map((e) => e.type)).toEqual(['turn.started']);
    expect(external.services.agents.running()).toBe(0);

    const first = [entry('ext:start', { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' }), ...deltas(1, 7)];
    const one = await checkedCall(client, 'turn/event/append', { workspace_id: workspaceId, events: first });
    expect(one.results).toHaveLength(8);
    expect(one.results.every((r) => r.outcome === 'applied' && !r.duplicate && r.seq !== null)).toBe(true);
    const seqs = one.results.map((r) => r.seq!);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));

    const second = [...deltas(8, 7), entry('ext:done', { type: 'item.completed', item_id: 'msg_1', status: 'completed' })];
    const two = await checkedCall(client, 'turn/event/append', { workspace_id: workspaceId, events: second });
    expect(two.results.every((r) => r.outcome === 'applied' && !r.duplicate)).toBe(true);
    const afterTwo = await journalOf(turnId);
    expect(afterTwo).toHaveLength(17);
    expect(afterTwo.slice(1).map((e) => e.workspaceSeq)).toEqual([...one.results, ...two.results].map((r) => r.seq));

    // The same batch again (an answer the runtime never saw): the first results, duplicate, nothing written.
    const retried = await checkedCall(client, 'turn/event/append', { workspace_id: workspaceId, events: second });
    expect(retried.results.map((r) => ({ ...r, duplicate: false }))).toEqual(two.results);
    expect(retried.results.every((r) => r.duplicate)).toBe(true);
    expect(await journalOf(turnId)).toEqual(afterTwo);
  });

  it('refuses a batch with an invalid event in the middle as invariant_violation naming its index, and writes none of it', async () => {
    const before = await journalOf(turnId);
    const headBefore = client.lastSeq(workspaceId);
    const bad = [
      entry('bad:0', { type: 'item.started', item_id: 'tool_1', item_type: 'tool_call', payload: { tool: 'echo' } }),
      entry('bad:1', { type: 'item.updated', item_id: 'tool_1', payload: { tool: 'echo', progress: 1 } }),
      entry('bad:2', { type: 'item.completed', item_id: 'tool_1', status: 'completed' }),
      entry('bad:3', { type: 'item.agent_message.delta', item_id: 'no_such_item', delta: 'orphan' }),
      entry('bad:4', { type: 'item.started', item_id: 'msg_2', item_type: 'agent_message' }),
      entry('bad:5', { type: 'item.agent_message.delta', item_id: 'msg_2', delta: 'never' }),
      entry('bad:6', { type: 'item.completed', item_id: 'msg_2', status: 'completed' }),
      entry('bad:7', { type: 'turn.completed' }),
    ];
    const error = await client.call('turn/event/append', { workspace_id: workspaceId, events: bad }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isCairnRpcError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invariant_violation', details: { index: 3 } });
    expect(await journalOf(turnId)).toEqual(before);
    const items = await checkedCall(client, 'turn/items', { workspace_id: workspaceId, turn_id: turnId });
    expect(items.items.map((i) => i.item_id)).toEqual(['msg_1']);

    // The keys of the refused batch were not spent: the valid events go through under them.
    const good = [...bad.slice(0, 3), ...bad.slice(4)];
    const applied = await checkedCall(client, 'turn/event/append', { workspace_id: workspaceId, events: good });
    expect(applied.results.every((r) => r.outcome === 'applied' && !r.duplicate)).toBe(true);
    expect(applied.results.at(-1)!.seq).toBeGreaterThan(headBefore ?? 0);
    await waitUntil(() => ofTurn(seen, turnId).some((n) => n.method === 'turn/completed'), 'turn/completed of the external turn');
    const get = await checkedCall(client, 'turn/get', { workspace_id: workspaceId, turn_id: turnId });
    expect(get.turn.status).toBe('completed');
  });

  it('sent each committed event once as a notification, valid and in seq order', async () => {
    const journal = await journalOf(turnId);
    const mine = ofTurn(seen, turnId);
    for (const n of mine) expectNotificationValid(n);
    expect(journal).toHaveLength(1 + 8 + 8 + 7);
    expect(mine.map((n) => n.params.seq)).toEqual(journal.map((e) => e.workspaceSeq));
    const text = mine.filter((n) => n.method === 'item/agent_message/delta' && n.params.item_id === 'msg_1').map((n) => (n.params as { delta: string }).delta);
    expect(text.join('')).toBe(Array.from({ length: 14 }, (_, i) => `word${i + 1} `).join(''));
  });

  it('turn/cancel of an external turn: later appends answer noop_already_terminal and write nothing', async () => {
    const cancelId = 'turn-external-cancel';
    await checkedCall(client, 'turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: cancelId, input: [{ type: 'text', text: 'to cancel' }] });
    const open = (key: string, event: TurnEventPayload): TurnEventEntry => ({ thread_id: threadId, turn_id: cancelId, idempotency_key: key, event });
    await checkedCall(client, 'turn/event/append', { workspace_id: workspaceId, events: [open('c:0', { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' })] });
    const cancelled = await checkedCall(client, 'turn/cancel', { workspace_id: workspaceId, turn_id: cancelId, reason: 'user asked' });
    expect(cancelled).toMatchObject({ outcome: 'applied', turn: { status: 'cancelled' } });
    await waitUntil(() => ofTurn(seen, cancelId).some((n) => n.method === 'turn/completed'), 'turn/completed (cancelled)');
    expect(ofTurn(seen, cancelId).find((n) => n.method === 'turn/completed')!.params).toMatchObject({ status: 'cancelled' });
    const before = await journalOf(cancelId);

    // A runtime that did not see the cancel reports its own end: answered noop_already_terminal, nothing written.
    const late = await checkedCall(client, 'turn/event/append', {
      workspace_id: workspaceId,
      events: [open('c:1', { type: 'turn.completed' }), open('c:2', { type: 'turn.failed', error: { code: 'runtime_error', message: 'late' } })],
    });
    expect(late.results.map((r) => r.outcome)).toEqual(['noop_already_terminal', 'noop_already_terminal']);
    expect(late.results.every((r) => r.seq === null && r.position === null)).toBe(true);
    // Item events after the end are refused (crud's turn state: nothing may touch an ended turn's items), also writing nothing.
    const refused = await client.call('turn/event/append', { workspace_id: workspaceId, events: [open('c:3', { type: 'item.agent_message.delta', item_id: 'msg_1', delta: 'too late' })] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toMatchObject({ code: 'invariant_violation', details: { index: 0 } });
    expect(await journalOf(cancelId)).toEqual(before);
    expect(before.at(-1)!.type).toBe('turn.cancelled');
    const again = await checkedCall(client, 'turn/cancel', { workspace_id: workspaceId, turn_id: cancelId });
    expect(again.outcome).toBe('noop_duplicate_terminal'); // the same end again
  });
});

describe('turn/cancel of a running built-in turn', () => {
  it('ends the turn as cancelled and the runtime writes nothing after the cancel', async () => {
    const { client, seen } = connect(slow);
    const workspaceId = (await checkedCall(client, 'workspace/default', {})).workspace.workspace_id;
    const threadId = (await checkedCall(client, 'thread/start', { workspace_id: workspaceId })).thread.thread_id;
    const turnId = 'turn-slow-cancel';
    await checkedCall(client, 'turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'take your time' }] });
    await waitUntil(() => ofTurn(seen, turnId).some((n) => n.method === 'item/agent_message/delta'), 'a first delta');
    expect(slow.services.agents.running()).toBe(1);

    const cancelled = await checkedCall(client, 'turn/cancel', { workspace_id: workspaceId, turn_id: turnId });
    expect(cancelled).toMatchObject({ outcome: 'applied', turn: { status: 'cancelled' } });
    await waitUntil(() => ofTurn(seen, turnId).some((n) => n.method === 'turn/completed'), 'turn/completed');
    const done = ofTurn(seen, turnId).find((n) => n.method === 'turn/completed')!;
    expectNotificationValid(done);
    expect(done.params).toMatchObject({ status: 'cancelled' });
    expect(done.params.seq).toBe(cancelled.seq);

    // The runtime stopped: it leaves the running set, and the journal ends at the cancel.
    await waitUntil(() => slow.services.agents.running() === 0, 'the runtime to stop');
    const journal = await journalOfTurn(slow, workspaceId, turnId);
    expect(journal.at(-1)).toMatchObject({ type: 'turn.cancelled', workspaceSeq: cancelled.seq });
    expect(journal.filter((e) => e.workspaceSeq > cancelled.seq!)).toEqual([]);
    expect(journal.some((e) => e.type === 'turn.completed' || e.type === 'item.started' && (e.payload as { item_id?: string }).item_id === 'tool_1')).toBe(false);
    const timeline = await allPages((cursor) => checkedCall(client, 'turn/timeline', { workspace_id: workspaceId, turn_id: turnId, ...(cursor ? { cursor } : {}) }));
    expect(timeline.at(-1)).toMatchObject({ type: 'turn.cancelled', workspace_seq: cancelled.seq });
    // A later turn on the same thread runs (the runtime is not wedged) and the cancelled one stays as it was.
    const next = await checkedCall(client, 'turn/start', { workspace_id: workspaceId, thread_id: threadId, input: [{ type: 'text', text: 'x' }] });
    await checkedCall(client, 'turn/cancel', { workspace_id: workspaceId, turn_id: next.turn.turn_id });
    await waitUntil(() => slow.services.agents.running() === 0, 'the second run to stop');
    expect(await journalOfTurn(slow, workspaceId, turnId)).toEqual(journal);
  });
});
