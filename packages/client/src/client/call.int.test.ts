import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { WebSocket as WsWebSocket } from 'ws';
import { createCairnClient, isCairnClientError, isCairnRpcError, type CairnClient, type WebSocketConstructor } from '../index.js';
import { rpcError, startScriptedPeer, threadFixture, waitFor, workspaceFixture, type ScriptedPeer } from '../testing/index.js';

let peer: ScriptedPeer;
let client: CairnClient | undefined;

beforeEach(async () => {
  peer = await startScriptedPeer({ token: 'secret-token' });
});
afterEach(async () => {
  await client?.close();
  client = undefined;
  await peer.close();
});

describe('calls over a real socket', () => {
  it('round-trips a typed call with the token in the Authorization header', async () => {
    peer.handle(({ method }) => (method === 'workspace/default' ? { result: { workspace: workspaceFixture() } } : undefined));
    client = createCairnClient({ url: peer.url, token: 'secret-token' });
    const { workspace } = await client.call('workspace/default', {});
    expect(workspace.workspace_id).toBe('ws-1');
    expect(peer.requests).toEqual([{ id: 1, method: 'workspace/default', params: {}, connection: 0 }]);
    expect(client.state).toBe('open');
  });

  it('authenticates with the cairn.bearer subprotocol, as a browser does', async () => {
    peer.handle(() => ({ result: { workspace: workspaceFixture() } }));
    client = createCairnClient({ url: peer.url, token: 'secret-token', WebSocket: WsWebSocket as unknown as WebSocketConstructor });
    await client.ready();
    expect(peer.connections[0]?.socket.protocol).toBe('cairn.v1');
    await expect(client.rpc['workspace/default']({})).resolves.toEqual({ workspace: workspaceFixture() });
  });

  it('offers one typed function per method in client.rpc', async () => {
    peer.handle(({ params }) => ({ result: { thread: threadFixture('t-1', (params as { workspace_id: string }).workspace_id), created: true } }));
    client = createCairnClient({ url: peer.url, token: 'secret-token' });
    const { thread, created } = await client.rpc['thread/start']({ workspace_id: 'ws-9', title: 'hello' });
    expect([thread.workspace_id, created]).toEqual(['ws-9', true]);
    expect(typeof client.rpc['sync/resume']).toBe('function');
    expect(Object.isFrozen(client.rpc)).toBe(true);
  });

  it('maps an error answer to CairnRpcError with rpcCode, code and details', async () => {
    peer.handle(() => rpcError(-32004, 'not_found', 'no thread t-404 in ws-1', { thread_id: 't-404' }));
    client = createCairnClient({ url: peer.url, token: 'secret-token' });
    const error = await client.call('thread/get', { workspace_id: 'ws-1', thread_id: 't-404' }).catch((e: unknown) => e);
    expect(isCairnRpcError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'CairnRpcError', rpcCode: -32004, code: 'not_found', details: { thread_id: 't-404' }, method: 'thread/get', message: 'no thread t-404 in ws-1' });
  });

  it('keeps code within ErrorCode when a newer gateway sends an unknown one', async () => {
    peer.handle(() => rpcError(-32003, 'brand_new_code', 'nope'));
    client = createCairnClient({ url: peer.url, token: 'secret-token' });
    const error = await client.call('workspace/list', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden_workspace', wireCode: 'brand_new_code', rpcCode: -32003 });
  });

  it('sends a batch as one array frame and settles each entry on its own', async () => {
    peer.handle(({ method }) =>
      method === 'workspace/default' ? { result: { workspace: workspaceFixture() } } : rpcError(-32004, 'not_found', 'no such workspace'),
    );
    client = createCairnClient({ url: peer.url, token: 'secret-token' });
    await client.ready();
    const [first, second] = await client.batch([
      { method: 'workspace/default', params: {} },
      { method: 'workspace/get', params: { workspace_id: 'missing' } },
    ]);
    expect(first.ok && first.result.workspace.workspace_id).toBe('ws-1');
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error).toMatchObject({ code: 'not_found' });
    expect(peer.frames).toHaveLength(1);
    expect(JSON.parse(peer.frames[0] ?? '')).toHaveLength(2);
    await expect(client.batch([])).resolves.toEqual([]);
  });

  it('rejects a call the peer never answers after requestTimeoutMs', async () => {
    client = createCairnClient({ url: peer.url, token: 'secret-token', requestTimeoutMs: 100 });
    const error = await client.call('workspace/list', {}).catch((e: unknown) => e);
    expect(isCairnClientError(error, 'request_timeout')).toBe(true);
  });

  it('rejects a call that was on the wire when the socket dropped with connection_lost, and reconnects', async () => {
    client = createCairnClient({ url: peer.url, token: 'secret-token', reconnect: { initialDelayMs: 10 } });
    const pending = client.call('workspace/list', {}).catch((e: unknown) => e);
    await waitFor(() => peer.requests.length === 1, 'the request');
    peer.connections[0]?.drop();
    expect(isCairnClientError(await pending, 'connection_lost')).toBe(true);
    await waitFor(() => peer.connections.length === 2, 'the reconnect');
  });
});
