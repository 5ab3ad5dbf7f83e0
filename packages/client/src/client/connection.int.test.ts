import { afterEach, describe, expect, it } from '@jest/globals';
import { createCairnClient, isCairnClientError, type CairnClient, type ConnectionChange } from '../index.js';
import { startScriptedPeer, threadFixture, waitFor, workspaceFixture, type ScriptedPeer } from '../testing/index.js';

let peer: ScriptedPeer | undefined;
let client: CairnClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await peer?.close();
  peer = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function recordChanges(c: CairnClient): ConnectionChange[] {
  const changes: ConnectionChange[] = [];
  c.onConnectionChange((change) => changes.push(change));
  return changes;
}

/** A url nothing listens on: a peer started and closed again. */
async function deadUrl(): Promise<string> {
  const gone = await startScriptedPeer();
  await gone.close();
  return gone.url;
}

describe('connection lifecycle', () => {
  it('surfaces a 401 handshake as unauthorized and never retries', async () => {
    peer = await startScriptedPeer({ token: 'right' });
    client = createCairnClient({ url: peer.url, token: 'wrong', reconnect: { initialDelayMs: 5 } });
    const changes = recordChanges(client);
    const ready = await client.ready().catch((e: unknown) => e);
    expect(isCairnClientError(ready, 'unauthorized')).toBe(true);
    expect((ready as Error).message).toMatch(/HTTP 401/);
    const call = await client.call('workspace/list', {}).catch((e: unknown) => e);
    expect(isCairnClientError(call, 'unauthorized')).toBe(true);
    await sleep(100);
    expect(peer.handshakes()).toBe(1);
    expect(changes.map((c) => c.state)).toEqual(['closed']);
    expect(client.state).toBe('closed');
  });

  it('stops on close code 4001 (token revoked): pending calls fail, no reconnect', async () => {
    peer = await startScriptedPeer();
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    await client.ready();
    const pending = client.call('workspace/list', {}).catch((e: unknown) => e);
    await waitFor(() => peer!.requests.length === 1, 'the request');
    peer.connections[0]?.close(4001, 'unauthorized');
    const error = await pending;
    expect(isCairnClientError(error, 'unauthorized')).toBe(true);
    expect((error as Error).message).toMatch(/4001/);
    await waitFor(() => client!.state === 'closed', 'closed');
    await sleep(100);
    expect(peer.handshakes()).toBe(1);
    expect(isCairnClientError(await client.call('workspace/list', {}).catch((e: unknown) => e), 'unauthorized')).toBe(true);
  });

  it('reconnects and resumes on close code 4000 (resync_required)', async () => {
    peer = await startScriptedPeer();
    peer.handle(({ method, params }) => {
      if (method === 'thread/start') return { result: { thread: threadFixture('t-1'), created: true } };
      if (method === 'sync/resume') return { result: { head_seq: (params as { after_seq: number }).after_seq, replayed: 0, thread_ids: ['t-1'] } };
      return undefined;
    });
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    await client.call('thread/start', { workspace_id: 'ws-1' });
    peer.connections[0]?.close(4000, 'resync_required');
    await waitFor(() => peer!.requests.some((r) => r.method === 'sync/resume'), 'the resume');
    const resume = peer.requests.find((r) => r.method === 'sync/resume');
    expect(resume).toMatchObject({ connection: 1, params: { workspace_id: 'ws-1', after_seq: 0, thread_ids: ['t-1'] } });
    await waitFor(() => client!.state === 'open', 'open again');
  });

  it('backs off exponentially between failed attempts and gives up after maxAttempts', async () => {
    client = createCairnClient({
      url: await deadUrl(),
      token: 't',
      reconnect: { initialDelayMs: 20, factor: 2, maxDelayMs: 60, jitter: false, maxAttempts: 3 },
    });
    const changes = recordChanges(client);
    const error = await client.ready().catch((e: unknown) => e);
    expect(isCairnClientError(error, 'reconnect_exhausted')).toBe(true);
    expect(changes.filter((c) => c.state === 'reconnecting').map((c) => [c.attempt, c.delayMs])).toEqual([
      [1, 20],
      [2, 40],
      [3, 60],
    ]);
    expect(changes.at(-1)?.state).toBe('closed');
  });

  it('queues calls while disconnected up to maxQueuedCalls, then rejects with queue_full', async () => {
    client = createCairnClient({ url: await deadUrl(), token: 't', maxQueuedCalls: 2, reconnect: { initialDelayMs: 50 } });
    const first = client.call('workspace/list', {}).catch((e: unknown) => e);
    const second = client.batch([{ method: 'workspace/default', params: {} }]);
    const third = await client.call('workspace/list', {}).catch((e: unknown) => e);
    expect(isCairnClientError(third, 'queue_full')).toBe(true);
    await client.close();
    expect(isCairnClientError(await first, 'client_closed')).toBe(true);
    const [entry] = await second;
    expect(!entry.ok && isCairnClientError(entry.error, 'client_closed')).toBe(true);
  });

  it('with maxQueuedCalls 0 rejects a call made while disconnected at once', async () => {
    client = createCairnClient({ url: await deadUrl(), token: 't', maxQueuedCalls: 0 });
    expect(isCairnClientError(await client.call('workspace/list', {}).catch((e: unknown) => e), 'queue_full')).toBe(true);
  });

  it('sends queued calls once connected', async () => {
    peer = await startScriptedPeer();
    peer.handle(() => ({ result: { workspace: workspaceFixture() } }));
    client = createCairnClient({ url: peer.url, token: 'test-token' });
    const calls = [client.call('workspace/default', {}), client.call('workspace/default', {})];
    await expect(Promise.all(calls)).resolves.toHaveLength(2);
  });

  it('close() rejects calls in flight, stops reconnecting and closes the socket', async () => {
    peer = await startScriptedPeer();
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    await client.ready();
    const pending = client.call('workspace/list', {}).catch((e: unknown) => e);
    await waitFor(() => peer!.requests.length === 1, 'the request');
    await client.close();
    expect(isCairnClientError(await pending, 'client_closed')).toBe(true);
    await waitFor(() => peer!.connections[0]?.socket.readyState === 3, 'the peer sees the close');
    await sleep(50);
    expect(peer.handshakes()).toBe(1);
    expect(client.state).toBe('closed');
    await client.close();
  });
});
