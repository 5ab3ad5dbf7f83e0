import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCairnClient, type CairnClient, type ConnectionChange } from '@cairn/client';
import type { AnyNotification } from '@cairn/protocol';
import { RpcSocket, type RpcNotification, type TestGateway } from '@cairn/gateway/testing';
import { gatewayAt, journalOfTurn, tempRoot, waitUntil } from './testing/e2e-support.js';

// Reconnect and resume: what a client missed while disconnected is replayed exactly once,
// compared against a subscriber that never disconnected; and a consumer that stops reading is
// closed with 4000 instead of growing the gateway's buffers, then catches up by resuming.

const dirs = tempRoot('cairn-resync-');
let gateway: TestGateway;
let slowGateway: TestGateway;
const sockets: RpcSocket[] = [];
let workspaceId: string;

async function open(g: TestGateway, token: string): Promise<RpcSocket> {
  const socket = await RpcSocket.open(g.rpcUrl, token);
  sockets.push(socket);
  return socket;
}

/** A token of its own, so the test can find (and kill) exactly this client's sessions. */
async function ownToken(g: TestGateway, label: string): Promise<{ id: string; secret: string }> {
  const issued = await g.runtime.store.tokens.issue({ kind: 'operator', label });
  return { id: issued.token.token_id, secret: issued.secret };
}

const sessionsOf = (g: TestGateway, tokenId: string) => [...g.services.sessions].filter((s) => s.principal.token.token_id === tokenId);
const ofTurn = (list: Array<{ method: string; params: Record<string, unknown> }>, turnId: string) => list.filter((n) => n.params['turn_id'] === turnId);
const key = (n: { method: string; params: Record<string, unknown> }) => JSON.stringify([n.params['seq'], n.method, n.params]);

beforeAll(async () => {
  [gateway, slowGateway] = await Promise.all([
    gatewayAt(dirs.home('home'), { agent: { builtin_delta_interval_ms: 50 } }),
    gatewayAt(dirs.home('slow'), { agent: { runtime: 'external' }, limits: { notification_buffer_bytes: 64 * 1024, max_message_bytes: 8 * 1024 * 1024 } }),
  ]);
  workspaceId = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
}, 60_000);

afterAll(async () => {
  await Promise.all(sockets.map((s) => s.close()));
  await Promise.all([gateway?.close(), slowGateway?.close()]);
  dirs.cleanup();
}, 60_000);

/** A thread, and an always-connected subscriber to it that sees everything. */
async function threadWithObserver(g: TestGateway, wsId: string): Promise<{ threadId: string; observer: RpcSocket; control: RpcSocket; head: number }> {
  const control = await open(g, g.operatorToken);
  const { thread } = await control.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: wsId });
  const observer = await open(g, g.operatorToken);
  const { head_seq } = await observer.call<{ head_seq: number }>('sync/resume', { workspace_id: wsId, after_seq: await g.services.hub.head(wsId), thread_ids: [thread.thread_id] });
  return { threadId: thread.thread_id, observer, control, head: head_seq };
}

describe('a client disconnected while a turn runs', () => {
  it('gets exactly the missed notifications through sync/resume from its last seq (bare sockets)', async () => {
    const { threadId, observer, control, head } = await threadWithObserver(gateway, workspaceId);
    const first = await open(gateway, gateway.operatorToken);
    await first.call('sync/resume', { workspace_id: workspaceId, after_seq: head, thread_ids: [threadId] });
    const turnId = 'turn-resync-bare';
    await control.call('turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'a rather long input so that the reply streams in many deltas' }] });

    await first.waitFor(() => first.notifications.filter((n) => n.method === 'item/agent_message/delta').length >= 3);
    first.socket.terminate();
    await first.waitFor(() => first.closed);
    const before = [...first.notifications];
    const lastSeen = before.at(-1)!.params['seq'] as number;

    const second = await open(gateway, gateway.operatorToken);
    const resumed = await second.call<{ replayed: number }>('sync/resume', { workspace_id: workspaceId, after_seq: lastSeen, thread_ids: [threadId] });
    await second.waitFor(() => second.notifications.find((n) => n.method === 'turn/completed'), 20_000);
    await observer.waitFor(() => observer.notifications.find((n) => n.method === 'turn/completed'), 20_000);

    // The turn's own notifications (the captured file's artifact notifications carry no turn id).
    const full = ofTurn(observer.notifications, turnId);
    const union = ofTurn([...before, ...second.notifications], turnId);
    expect(union.map(key)).toEqual(full.map(key));
    expect(new Set(union.map((n) => n.params['seq'])).size).toBe(union.length);
    expect(second.notifications.length).toBeGreaterThan(0);
    expect(resumed.replayed).toBeLessThanOrEqual(second.notifications.length);
    // The whole turn: what the journal holds for it, from turn/started to turn/completed.
    const journal = await journalOfTurn(gateway, workspaceId, turnId);
    expect(full.map((n) => n.params['seq'])).toEqual(journal.map((e) => e.workspaceSeq));
    expect(full.at(-1)!.method).toBe('turn/completed');
  }, 60_000);

  it('through @cairn/client: the socket is killed server-side mid-turn; handlers see every notification exactly once', async () => {
    const { threadId, observer, control } = await threadWithObserver(gateway, workspaceId);
    const token = await ownToken(gateway, 'reconnecting client');
    const client: CairnClient = createCairnClient({ url: gateway.rpcUrl, token: token.secret, reconnect: { initialDelayMs: 20, maxDelayMs: 200, maxAttempts: 50 } });
    const seen: AnyNotification[] = [];
    const states: ConnectionChange[] = [];
    client.onAny((n) => seen.push(n));
    client.onConnectionChange((c) => states.push(c));
    try {
      await client.call('thread/start', { workspace_id: workspaceId, thread_id: threadId });
      const turnId = 'turn-resync-client';
      await control.call('turn/start', { workspace_id: workspaceId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'once more, a long input so the reply has many deltas to stream' }] });
      await waitUntil(() => seen.filter((n) => n.method === 'item/agent_message/delta').length >= 2, 'two deltas');
      const killed = sessionsOf(gateway, token.id);
      expect(killed).toHaveLength(1);
      for (const s of killed) s.socket.terminate();
      await waitUntil(() => states.some((c) => c.state === 'reconnecting'), 'the client to notice');
      const cutAt = seen.length;

      await observer.waitFor(() => ofTurn(observer.notifications, turnId).find((n) => n.method === 'turn/completed'), 20_000);
      await waitUntil(() => seen.some((n) => n.method === 'turn/completed' && n.params.turn_id === turnId), 'turn/completed at the client');
      const full = ofTurn(observer.notifications, turnId);
      const mine = ofTurn(seen as unknown as RpcNotification[], turnId);
      expect(mine.map(key)).toEqual(full.map(key));
      expect(new Set(mine.map((n) => n.params['seq'])).size).toBe(mine.length);
      expect(seen.length).toBeGreaterThan(cutAt);
      expect(sessionsOf(gateway, token.id)).toHaveLength(1);
      expect(client.lastSeq(workspaceId)).toBe(full.at(-1)!.params['seq']);
    } finally {
      await client.close();
    }
  }, 60_000);
});

describe('sync/resume refuses what it cannot keep', () => {
  it('a workspace that does not exist: not_found, and no subscription is kept', async () => {
    const socket = await open(gateway, gateway.operatorToken);
    const answer = await socket.request('sync/resume', { workspace_id: 'ws-resync-missing', after_seq: 0 });
    expect(answer.error?.data.code).toBe('not_found');
    expect(gateway.services.hub.watchedWorkspaces()).not.toContain('ws-resync-missing');
    const [session] = [...gateway.services.sessions].filter((s) => s.subscriptions.has('ws-resync-missing'));
    expect(session).toBeUndefined();
  });

  it('a cursor past the head (a home restored from an older backup): snapshot_required naming the head, which then resumes', async () => {
    const socket = await open(gateway, gateway.operatorToken);
    const head = await gateway.services.hub.head(workspaceId);
    const answer = await socket.request('sync/resume', { workspace_id: workspaceId, after_seq: head + 1000 });
    expect(answer.error?.data).toEqual({ code: 'snapshot_required', details: { retention_seq: head, head_seq: head } });
    const resumed = await socket.call<{ head_seq: number; replayed: number }>('sync/resume', { workspace_id: workspaceId, after_seq: head });
    expect(resumed).toMatchObject({ head_seq: head, replayed: 0 });
  });
});

describe('a slow consumer', () => {
  it('is closed with 4000 resync_required once its buffer is full, the buffer stays bounded, and resuming gets the rest', async () => {
    const limit = slowGateway.runtime.settings.limits.notification_buffer_bytes;
    expect(limit).toBe(64 * 1024);
    const wsId = (await slowGateway.runtime.store.workspaces.ensureDefault()).workspace_id;
    const { threadId, control } = await threadWithObserver(slowGateway, wsId);
    const turnId = 'turn-slow-consumer';
    await control.call('turn/start', { workspace_id: wsId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'big' }] });
    await control.call('turn/event/append', { workspace_id: wsId, events: [{ thread_id: threadId, turn_id: turnId, idempotency_key: 'big:start', event: { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' } }] });
    const from = await slowGateway.services.hub.head(wsId);

    const token = await ownToken(slowGateway, 'slow consumer');
    const slow = await open(slowGateway, token.secret);
    await slow.call('sync/resume', { workspace_id: wsId, after_seq: from, thread_ids: [threadId] });
    const [session] = sessionsOf(slowGateway, token.id);
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    // Batches of 16 deltas of 60,000 characters (about 1 MB) until the gateway gives up on it; bounded.
    let batches = 0;
    let maxBuffered = 0;
    let n = 0;
    for (; batches < 40 && !session!.closed; batches++) {
      const events = Array.from({ length: 16 }, () => {
        n++;
        return { thread_id: threadId, turn_id: turnId, idempotency_key: `big:${n}`, event: { type: 'item.agent_message.delta', item_id: 'msg_1', delta: `${n}:`.padEnd(60_000, 'x') } };
      });
      await control.call('turn/event/append', { workspace_id: wsId, events });
      await control.call('auth/me'); // a round trip, so the pump woken by the append has run
      maxBuffered = Math.max(maxBuffered, session!.socket.bufferedAmount);
    }
    expect(batches).toBeGreaterThan(0);
    expect(session!.closed).toBe(true);
    expect(maxBuffered).toBeLessThanOrEqual(limit + 1024); // the close frame may sit behind the last frame it let through
    await control.call('turn/event/append', { workspace_id: wsId, events: [
      { thread_id: threadId, turn_id: turnId, idempotency_key: 'big:done', event: { type: 'item.completed', item_id: 'msg_1', status: 'completed' } },
      { thread_id: threadId, turn_id: turnId, idempotency_key: 'big:end', event: { type: 'turn.completed' } },
    ] });

    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await slow.waitFor(() => slow.closed, 30_000);
    expect(slow.closed).toEqual({ code: 4000, reason: 'resync_required' });
    const received = [...slow.notifications];
    const journal = (await journalOfTurn(slowGateway, wsId, turnId)).filter((e) => e.workspaceSeq > from);
    expect(received.length).toBeLessThan(journal.length);

    // Reconnect and resume from the last seq seen until the turn is complete (each pass makes progress).
    for (let attempt = 0; attempt < 200 && received.at(-1)?.method !== 'turn/completed'; attempt++) {
      const next = await open(slowGateway, token.secret);
      const lastSeq = (received.at(-1)?.params['seq'] as number | undefined) ?? from;
      // The replay may fill the buffer again before the answer goes out: then the close is the answer.
      next.send(JSON.stringify({ jsonrpc: '2.0', id: 'resume', method: 'sync/resume', params: { workspace_id: wsId, after_seq: lastSeq, thread_ids: [threadId] } }));
      await next.waitFor(() => next.answers.find((a) => a.id === 'resume') ?? next.closed, 30_000);
      const answer = next.answers.find((a) => a.id === 'resume');
      if (answer?.error) throw new Error(`sync/resume: ${answer.error.data.code}`);
      await next.waitFor(() => next.notifications.find((x) => x.method === 'turn/completed') ?? next.closed, 30_000);
      expect(next.notifications.length).toBeGreaterThan(0);
      received.push(...next.notifications);
      await next.close();
    }
    expect(received.map((x) => x.params['seq'])).toEqual(journal.map((e) => e.workspaceSeq));
    expect(received.at(-1)!.method).toBe('turn/completed');
    expect(received.filter((x) => x.method === 'item/agent_message/delta').map((x) => (x.params['delta'] as string).split(':')[0])).toEqual(Array.from({ length: n }, (_, i) => String(i + 1)));
  }, 120_000);

  it('still gets a notification larger than the whole buffer, when nothing else is queued (else no resume could ever pass it)', async () => {
    const limit = slowGateway.runtime.settings.limits.notification_buffer_bytes;
    const wsId = (await slowGateway.runtime.store.workspaces.ensureDefault()).workspace_id;
    const { threadId, control, observer } = await threadWithObserver(slowGateway, wsId);
    const turnId = 'turn-one-big-frame';
    await control.call('turn/start', { workspace_id: wsId, thread_id: threadId, turn_id: turnId, input: [{ type: 'text', text: 'quotes' }] });
    // 40,000 quotes: a 64,000-character delta as the protocol allows, 80 KB once JSON-escaped.
    const delta = '"'.repeat(40_000);
    expect(JSON.stringify(delta).length).toBeGreaterThan(limit);
    await control.call('turn/event/append', {
      workspace_id: wsId,
      events: [
        { thread_id: threadId, turn_id: turnId, idempotency_key: 'q:1', event: { type: 'item.started', item_id: 'msg_1', item_type: 'agent_message' } },
        { thread_id: threadId, turn_id: turnId, idempotency_key: 'q:2', event: { type: 'item.agent_message.delta', item_id: 'msg_1', delta } },
      ],
    });
    const got = await observer.waitFor(() => observer.notifications.find((n) => n.method === 'item/agent_message/delta' && n.params['turn_id'] === turnId) ?? observer.closed);
    expect(observer.closed).toBeUndefined();
    expect((got as RpcNotification).params['delta']).toBe(delta);
  });
});
