import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { RpcSocket, startTestGateway, type TestGateway } from '@cairn/gateway/testing';
import { builtinReply } from '../agent/builtin-runtime.js';

let root: string;
let gateway: TestGateway;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-pg-rpc-'));
  const { url } = await createTestDatabase('gw_rpc');
  gateway = await startTestGateway(join(root, 'home'), { env: { databaseUrl: url }, settings: { agent: { builtin_delta_interval_ms: 0 } } });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the RPC server on PostgreSQL (in-process)', () => {
  it('authenticates, runs a built-in turn with its notifications in seq order, and replays it through sync/resume', async () => {
    expect(gateway.runtime.store.postgres).toBeDefined();
    await expect(RpcSocket.open(gateway.rpcUrl, 'cairn_wrong')).rejects.toMatchObject({ status: 401 });
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'on postgres' });
    const input = [{ type: 'text', text: 'hello postgres' }] as const;
    await socket.call('turn/start', { workspace_id: ws, thread_id: thread.thread_id, input });
    await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed'));
    const seqs = socket.notifications.map((n) => n.params['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(socket.notifications[0]?.method).toBe('thread/started');
    const text = socket.notifications.filter((n) => n.method === 'item/agent_message/delta').map((n) => n.params['delta']).join('');
    expect(text).toBe(builtinReply({ input: [...input] }));

    const again = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const resumed = await again.call<{ replayed: number }>('sync/resume', { workspace_id: ws, after_seq: 0, thread_ids: [thread.thread_id] });
    expect(again.notifications.map((n) => n.params['seq'])).toEqual(seqs);
    expect(resumed.replayed).toBe(seqs.length);
    const hits = await again.call<{ items: unknown[] }>('thread/search', { workspace_id: ws, query: 'postgres' });
    expect(hits.items.length).toBeGreaterThan(0);
    await Promise.all([socket.close(), again.close()]);
  });
});
