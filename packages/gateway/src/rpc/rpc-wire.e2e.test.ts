import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS, METHODS, openRpcDocument } from '@cairn/protocol';
import { RpcSocket, startTestGateway, type TestGateway } from '@cairn/gateway/testing';
import { gatewayRouter } from '../server/gateway-services.js';

let root: string;
let gateway: TestGateway;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-rpc-'));
  gateway = await startTestGateway(join(root, 'home'), { settings: { agent: { builtin_delta_interval_ms: 0 } } });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

const rpcUrl = () => gateway.rpcUrl;

describe('the router', () => {
  it('serves every protocol method, and nothing else', () => {
    expect([...gatewayRouter().methods].sort()).toEqual(Object.keys(METHODS).sort());
  });
});

describe('the handshake', () => {
  it('answers HTTP 401 and opens no socket without a token, with a bad one, or with a revoked one', async () => {
    await expect(RpcSocket.open(rpcUrl(), undefined)).rejects.toMatchObject({ status: 401 });
    await expect(RpcSocket.open(rpcUrl(), 'cairn_not-a-real-token')).rejects.toMatchObject({ status: 401 });
    const issued = await gateway.runtime.store.tokens.issue({ kind: 'operator', label: 'to revoke' });
    await gateway.runtime.store.tokens.revoke({ token_id: issued.token.token_id });
    await expect(RpcSocket.open(rpcUrl(), issued.secret)).rejects.toMatchObject({ status: 401 });
  });

  it('accepts the browser form: the token as a cairn.bearer subprotocol beside cairn.v1, and selects cairn.v1', async () => {
    const socket = await RpcSocket.open(rpcUrl(), undefined, { protocols: ['cairn.v1', `cairn.bearer.${gateway.operatorToken}`] });
    expect(socket.socket.protocol).toBe('cairn.v1');
    const me = await socket.call<{ token: { kind: string } }>('auth/me');
    expect(me.token.kind).toBe('operator');
    await socket.close();
  });

  it('guards /metrics with an operator token and answers Prometheus text', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    const scoped = await gateway.scopedToken([(await gateway.runtime.store.workspaces.ensureDefault()).workspace_id]);
    expect((await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${scoped}` } })).status).toBe(403);
    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${gateway.operatorToken}` } });
    expect(response.status).toBe(200);
    const text = await response.text();
    for (const name of ['cairn_connections', 'cairn_requests_total', 'cairn_request_duration_seconds', 'cairn_journal_position', 'cairn_write_queue_depth', 'cairn_storage_retries', 'cairn_checkpoint_age_seconds']) {
      expect(text).toContain(name);
    }
  });
});

describe('requests', () => {
  it('answers a request, validates params before the handler, and names unknown methods', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    expect(workspace.workspace_id).toBeTruthy();

    const bad = await socket.request('thread/start', { workspace_id: workspace.workspace_id, title: 42 });
    expect(bad.error).toMatchObject({ code: -32602, data: { code: 'invalid_params' } });
    expect(bad.error?.data.details?.['issues']).toBeDefined();

    const extra = await socket.request('workspace/get', { workspace_id: workspace.workspace_id, surprise: true });
    expect(extra.error?.data.code).toBe('invalid_params');

    const unknown = await socket.request('workspace/explode', {});
    expect(unknown.error).toMatchObject({ code: -32601, data: { code: 'method_not_found' } });

    const missing = await socket.request('workspace/get', { workspace_id: 'ws-does-not-exist' });
    expect(missing.error).toMatchObject({ code: -32004, data: { code: 'not_found' } });
    await socket.close();
  });

  it('answers a batch in one array, skips entries without id, and answers malformed entries in place', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    socket.send(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'workspace/default', params: {} },
        { jsonrpc: '2.0', method: 'workspace/default', params: {} },
        { jsonrpc: '1.0', id: 'b', method: 'workspace/default' },
        { jsonrpc: '2.0', id: 'c', method: 'nope/nope' },
      ]),
    );
    const batch = await socket.waitFor(() => socket.frames.find((f) => Array.isArray(f)) as Array<{ id: string; error?: { data: { code: string } } }> | undefined);
    expect(batch.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(batch[1]?.error?.data.code).toBe('invalid_request');
    expect(batch[2]?.error?.data.code).toBe('method_not_found');
    socket.send('[]');
    await socket.waitFor(() => socket.answers.find((a) => a.id === null && a.error?.data.code === 'invalid_request'));
    await socket.close();
  });

  it('answers bad JSON with parse_error and keeps the connection', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    socket.send('{"jsonrpc":"2.0",');
    await socket.waitFor(() => socket.answers.find((a) => a.error?.data.code === 'parse_error'));
    expect((await socket.call<{ token: unknown }>('auth/me')).token).toBeDefined();
    await socket.close();
  });

  it('refuses nesting past the limit without running anything', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'workspace/list', params: { a: JSON.parse('['.repeat(100) + ']'.repeat(100)) } }));
    const answer = await socket.waitFor(() => socket.answers.find((a) => a.error?.data.code === 'invalid_request'));
    expect(answer.error?.message).toContain('deeper');
    await socket.close();
  });

  it('closes on a binary frame (no transfer is open) and on a frame past the size limit', async () => {
    const binary = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    binary.send(Buffer.from([1, 2, 3]));
    await binary.waitFor(() => binary.closed);
    expect(binary.closed?.code).toBe(1003);

    const huge = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    huge.send('x'.repeat(gateway.runtime.settings.limits.max_message_bytes + 1));
    await huge.waitFor(() => huge.closed);
    expect(huge.closed?.code).toBe(1009);
  });

  it('keeps secret values out of answers: secret/set and secret/list carry metadata only, and an error quoting one is scrubbed', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const value = 'sk-live-wire-test-0123456789abcdef';
    const set = await socket.call('secret/set', { service: 'provider', id: 'wire', value, kind: 'provider_api_key' });
    expect(JSON.stringify(set)).not.toContain(value);
    const list = await socket.call('secret/list', {});
    expect(JSON.stringify(list)).not.toContain(value);
    // A title is stored redacted and an error echoing a value never carries it.
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const started = await socket.call<{ thread: { title: string } }>('thread/start', { workspace_id: workspace.workspace_id, title: `key ${value}` });
    expect(started.thread.title).not.toContain(value);
    const frames = JSON.stringify(socket.frames);
    expect(frames).not.toContain(value);
    expect((await socket.call<{ deleted: boolean }>('secret/delete', { service: 'provider', id: 'wire' })).deleted).toBe(true);
    await socket.close();
  });
});

describe('notifications', () => {
  it('sends a built-in turn to the subscribed connection after commit, in seq order, and not to others', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const bystander = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'notified' });
    const started = await socket.call<{ turn: { turn_id: string }; seq: number }>('turn/start', {
      workspace_id: ws,
      thread_id: thread.thread_id,
      input: [{ type: 'text', text: 'hello there' }],
    });
    await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed'));
    const mine = socket.notifications.filter((n) => n.params['thread_id'] === thread.thread_id);
    const methods = mine.map((n) => n.method);
    expect(methods[0]).toBe('thread/started');
    expect(methods.slice(1, 3)).toEqual(['turn/started', 'item/started']);
    expect(methods).toContain('item/agent_message/delta');
    expect(methods.at(-1)).toBe('turn/completed');
    const seqs = mine.map((n) => n.params['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(mine.find((n) => n.method === 'turn/started')?.params['seq']).toBe(started.seq);
    const text = mine.filter((n) => n.method === 'item/agent_message/delta').map((n) => n.params['delta']).join('');
    expect(text).toContain('hello there');
    // The bystander never subscribed to the thread.
    expect(bystander.notifications).toEqual([]);
    await Promise.all([socket.close(), bystander.close()]);
  });

  it('replays exactly what a connection missed through sync/resume, then continues live', async () => {
    const first = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const { workspace } = await first.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const { thread } = await first.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws });
    await first.call('turn/start', { workspace_id: ws, thread_id: thread.thread_id, input: [{ type: 'text', text: 'one' }] });
    await first.waitFor(() => first.notifications.find((n) => n.method === 'turn/completed'));
    const seen = first.notifications.map((n) => n.params['seq'] as number);
    const cut = seen[2]!;
    await first.close();

    const second = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const resumed = await second.call<{ head_seq: number; replayed: number }>('sync/resume', { workspace_id: ws, after_seq: cut, thread_ids: [thread.thread_id] });
    const replayed = second.notifications.map((n) => n.params['seq'] as number);
    expect(replayed).toEqual(seen.filter((s) => s > cut));
    expect(resumed.replayed).toBe(replayed.length);
    expect(resumed.head_seq).toBeGreaterThanOrEqual(seen.at(-1)!);
    await second.call('turn/start', { workspace_id: ws, thread_id: thread.thread_id, input: [{ type: 'text', text: 'two' }] });
    await second.waitFor(() => second.notifications.filter((n) => n.method === 'turn/completed').length === 2);
    const all = second.notifications.map((n) => n.params['seq'] as number);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toEqual([...all].sort((a, b) => a - b));
    await second.close();
  });
});

describe('the OpenRPC document', () => {
  it('lists exactly the methods the router serves', () => {
    const documented = (openRpcDocument().methods as Array<{ name: string }>).map((m) => m.name).sort();
    expect(documented).toEqual([...gatewayRouter().methods].sort());
  });
});

describe('resync before the retention point', () => {
  it('answers snapshot_required with the retention point and the head, and changes nothing on the connection', async () => {
    const home = join(root, 'retained');
    const retained = await startTestGateway(home, {
      settings: { agent: { builtin_delta_interval_ms: 0 }, journal_retention: { enabled: true, keep_days: 0, keep_events: 1, every_seconds: 3600 } },
    });
    try {
      const socket = await RpcSocket.open(retained.rpcUrl, retained.operatorToken);
      const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
      const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: workspace.workspace_id });
      await socket.call('turn/start', { workspace_id: workspace.workspace_id, thread_id: thread.thread_id, input: [{ type: 'text', text: 'old' }] });
      await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed'));
      const head = socket.notifications.at(-1)!.params['seq'] as number;
      await new Promise((resolve) => setTimeout(resolve, 5)); // keep_days 0: older than now by a millisecond
      await retained.runtime.retention!.runOnce();
      const refused = await socket.request('sync/resume', { workspace_id: workspace.workspace_id, after_seq: 0 });
      expect(refused.error?.data).toMatchObject({ code: 'snapshot_required', details: { retention_seq: head - 1, head_seq: head } });
      // From the head it resumes, with nothing to replay.
      const resumed = await socket.call<{ head_seq: number; replayed: number }>('sync/resume', { workspace_id: workspace.workspace_id, after_seq: head });
      expect(resumed).toMatchObject({ head_seq: head, replayed: 0 });
      await socket.close();
    } finally {
      await retained.close();
    }
  });
});

describe('subscriptions per connection', () => {
  it('refuses thread/start past the limit before writing anything, and still re-opens a followed thread', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws });
    // Fill this connection's subscription up to the limit (as 10,000 thread/starts would).
    const session = [...gateway.services.sessions].find((s) => s.subscriptions.get(ws)?.threads.has(thread.thread_id))!;
    const followed = session.subscriptions.get(ws)!;
    for (let i = followed.threads.size; i < LIMITS.sync.threadsPerConnection; i++) followed.threads.add(`filler-${i}`);
    const before = (await gateway.runtime.store.threads.list({ workspace_id: ws, limit: 500 })).items.length;
    const refused = await socket.request('thread/start', { workspace_id: ws, thread_id: 'one-too-many' });
    expect(refused.error).toMatchObject({ data: { code: 'invalid_params', details: { limit: LIMITS.sync.threadsPerConnection } } });
    expect((await gateway.runtime.store.threads.list({ workspace_id: ws, limit: 500 })).items.length).toBe(before);
    expect((await socket.call<{ created: boolean }>('thread/start', { workspace_id: ws, thread_id: thread.thread_id })).created).toBe(false);
    await socket.close();
  });
});

describe('thread/unsubscribe', () => {
  it('takes one thread out of a whole-workspace subscription and keeps the others coming', async () => {
    const socket = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const other = await RpcSocket.open(rpcUrl(), gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const quiet = (await other.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'quiet' })).thread.thread_id;
    const loud = (await other.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'loud' })).thread.thread_id;
    const { head_seq } = await socket.call<{ head_seq: number }>('sync/resume', { workspace_id: ws, after_seq: 0 });
    const after = socket.notifications.length;
    expect((await socket.call<{ unsubscribed: boolean }>('thread/unsubscribe', { workspace_id: ws, thread_id: quiet })).unsubscribed).toBe(true);
    for (const thread_id of [quiet, loud]) await other.call('turn/start', { workspace_id: ws, thread_id, input: [{ type: 'text', text: 'go' }] });
    await other.waitFor(() => other.notifications.filter((n) => n.method === 'turn/completed').length === 2);
    await socket.waitFor(() => socket.notifications.slice(after).find((n) => n.method === 'turn/completed'));
    const live = socket.notifications.slice(after);
    expect(live.every((n) => (n.params['seq'] as number) > head_seq)).toBe(true);
    // Other threads of the workspace may still be heard (an earlier turn's artifact projection
    // lands when the worker runs); of these two, only the subscribed one.
    const heard = new Set(live.map((n) => n.params['thread_id']));
    expect([heard.has(quiet), heard.has(loud)]).toEqual([false, true]);
    // thread/start of the unsubscribed thread follows it again.
    await socket.call('thread/start', { workspace_id: ws, thread_id: quiet });
    await other.call('turn/start', { workspace_id: ws, thread_id: quiet, input: [{ type: 'text', text: 'again' }] });
    await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed' && n.params['thread_id'] === quiet));
    await Promise.all([socket.close(), other.close()]);
  });
});
