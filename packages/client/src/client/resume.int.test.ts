import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SyncResumeParams } from '@cairn/protocol';
import { createCairnClient, type CairnClient } from '../index.js';
import { rpcError, startScriptedPeer, threadFixture, threadUpdated, waitFor, workspaceFixture, type PeerHandler, type ScriptedPeer } from '../testing/index.js';

let peer: ScriptedPeer;
let client: CairnClient;

beforeEach(async () => {
  peer = await startScriptedPeer();
});
afterEach(async () => {
  await client.close();
  await peer.close();
});

/** thread/start answers with the thread it was asked for (or t-1); sync/resume by `onResume`. */
function gateway(onResume: PeerHandler): PeerHandler {
  return (request, connection) => {
    const params = request.params as { workspace_id: string; thread_id?: string };
    switch (request.method) {
      case 'thread/start':
        return { result: { thread: threadFixture(params.thread_id ?? 't-1', params.workspace_id), created: true } };
      case 'thread/unsubscribe':
        return { result: { unsubscribed: true } };
      case 'workspace/default':
        return { result: { workspace: workspaceFixture() } };
      case 'sync/resume':
        return onResume(request, connection);
      default:
        return undefined;
    }
  };
}

function seen(c: CairnClient): Array<[string, number]> {
  const got: Array<[string, number]> = [];
  c.on('thread/updated', (p) => got.push([p.workspace_id, p.seq]));
  return got;
}

const resumes = () => peer.requests.filter((r) => r.method === 'sync/resume');

describe('resume after a reconnect', () => {
  it('resumes every workspace from its last seq with its threads, drops duplicates, then releases queued calls', async () => {
    peer.handle(
      gateway(({ params }, connection) => {
        const p = params as SyncResumeParams;
        // The replay overlaps what the client saw before the drop (seq 2, 3), then brings 4, 5.
        if (p.workspace_id === 'ws-1') for (const seq of [2, 3, 4, 5]) connection.notify('thread/updated', threadUpdated(seq));
        return { result: { head_seq: p.workspace_id === 'ws-1' ? 5 : p.after_seq, replayed: 4, thread_ids: p.thread_ids ?? null } };
      }),
    );
    // No jitter: a fixed 100 ms window in which the call below is made while disconnected.
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 100, jitter: false } });
    const got = seen(client);
    const states: string[] = [];
    client.onConnectionChange((c) => states.push(c.state));
    await client.call('thread/start', { workspace_id: 'ws-1', thread_id: 't-1' });
    await client.call('thread/start', { workspace_id: 'ws-1', thread_id: 't-2' });
    await client.call('thread/start', { workspace_id: 'ws-2', thread_id: 't-9' });
    const live = peer.connections[0]!;
    for (const seq of [1, 2, 3]) live.notify('thread/updated', threadUpdated(seq));
    live.notify('thread/updated', threadUpdated(2)); // a duplicate on the live stream, too
    live.notify('thread/updated', threadUpdated(7, 't-9', 'ws-2'));
    await waitFor(() => client.lastSeq('ws-2') === 7, 'the live notifications');
    expect(client.lastSeq('ws-1')).toBe(3);

    live.drop();
    await waitFor(() => states.includes('reconnecting'), 'reconnecting');
    expect(client.state).toBe('reconnecting');
    const queued = client.call('workspace/default', {});
    await expect(queued).resolves.toEqual({ workspace: workspaceFixture() });

    expect(resumes().map((r) => [r.connection, r.params])).toEqual([
      [1, { workspace_id: 'ws-1', after_seq: 3, thread_ids: ['t-1', 't-2'] }],
      [1, { workspace_id: 'ws-2', after_seq: 7, thread_ids: ['t-9'] }],
    ]);
    // The queued call went out only after both resumes were answered.
    expect(peer.requests.filter((r) => r.connection === 1).map((r) => r.method)).toEqual(['sync/resume', 'sync/resume', 'workspace/default']);
    expect(got).toEqual([
      ['ws-1', 1],
      ['ws-1', 2],
      ['ws-1', 3],
      ['ws-2', 7],
      ['ws-1', 4],
      ['ws-1', 5],
    ]);
    expect(client.lastSeq('ws-1')).toBe(5);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('takes thread/unsubscribe and an app-made sync/resume into the next resume', async () => {
    peer.handle(gateway(({ params }) => ({ result: { head_seq: 40, replayed: 0, thread_ids: (params as SyncResumeParams).workspace_id === 'ws-2' ? null : [] } })));
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    await client.call('thread/start', { workspace_id: 'ws-1', thread_id: 't-1' });
    await client.call('thread/unsubscribe', { workspace_id: 'ws-1', thread_id: 't-1' });
    await client.call('sync/resume', { workspace_id: 'ws-2', after_seq: 0 });
    expect(client.lastSeq('ws-2')).toBe(40);
    peer.connections[0]!.drop();
    await waitFor(() => resumes().length === 2 && client.state === 'open', 'the resume');
    // ws-1 has no thread left, so it is not resumed; ws-2 subscribed every thread (thread_ids null).
    expect(resumes()[1]).toMatchObject({ connection: 1, params: { workspace_id: 'ws-2', after_seq: 40 } });
    expect(resumes()[1]!.params).not.toHaveProperty('thread_ids');
  });

  it('on snapshot_required re-subscribes from the head without replaying to handlers, then tells the app to reload', async () => {
    peer.handle(
      gateway(({ params }, connection) => {
        const p = params as SyncResumeParams;
        if (p.after_seq < 10) return rpcError(-32015, 'snapshot_required', 'events 1..10 were archived', { retention_seq: 10 });
        for (const seq of [11, 12]) connection.notify('thread/updated', threadUpdated(seq));
        return { result: { head_seq: 12, replayed: 2, thread_ids: ['t-1'] } };
      }),
    );
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    const got = seen(client);
    const snapshots: unknown[] = [];
    client.onSnapshotRequired((workspaceId, retentionSeq, headSeq) => snapshots.push([workspaceId, retentionSeq, headSeq, client.lastSeq(workspaceId)]));
    await client.call('thread/start', { workspace_id: 'ws-1', thread_id: 't-1' });
    peer.connections[0]!.notify('thread/updated', threadUpdated(2));
    await waitFor(() => got.length === 1, 'seq 2');
    peer.connections[0]!.drop();
    await waitFor(() => snapshots.length === 1 && client.state === 'open', 'the snapshot event');
    expect(snapshots).toEqual([['ws-1', 10, 12, 12]]);
    expect(resumes().map((r) => (r.params as SyncResumeParams).after_seq)).toEqual([2, 10]);
    peer.connections[1]!.notify('thread/updated', threadUpdated(13));
    await waitFor(() => got.length === 2, 'seq 13');
    expect(got).toEqual([
      ['ws-1', 2],
      ['ws-1', 13],
    ]);
  });

  it('reports a refused resume through onResumeError and still opens', async () => {
    peer.handle(gateway(() => rpcError(-32003, 'forbidden_workspace', 'the token no longer covers ws-1')));
    client = createCairnClient({ url: peer.url, token: 'test-token', reconnect: { initialDelayMs: 5 } });
    const refused: unknown[] = [];
    client.onResumeError((workspaceId, error) => refused.push([workspaceId, error.code]));
    await client.call('thread/start', { workspace_id: 'ws-1', thread_id: 't-1' });
    peer.connections[0]!.drop();
    await waitFor(() => refused.length === 1 && client.state === 'open', 'the resume error');
    expect(refused).toEqual([['ws-1', 'forbidden_workspace']]);
  });

  it('delivers to onAny and keeps delivering when a handler throws', async () => {
    peer.handle(gateway(() => undefined));
    const errors: unknown[] = [];
    client = createCairnClient({ url: peer.url, token: 'test-token', onHandlerError: (e) => errors.push(e) });
    const any: string[] = [];
    client.on('thread/updated', () => {
      throw new Error('buggy handler');
    });
    const off = client.onAny((n) => any.push(`${n.method}@${n.params.seq}`));
    await client.ready();
    peer.connections[0]!.notify('thread/updated', threadUpdated(1));
    await waitFor(() => any.length === 1, 'onAny');
    off();
    peer.connections[0]!.notify('thread/updated', threadUpdated(2));
    await waitFor(() => errors.length === 2, 'the second handler error');
    expect(any).toEqual(['thread/updated@1']);
  });
});
