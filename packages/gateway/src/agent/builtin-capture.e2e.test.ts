import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { RpcSocket, startTestGateway, type TestGateway } from '@cairn/gateway/testing';

describe.each(['sqlite', 'postgres'] as const)('the built-in runtime captures the file its tool writes (%s)', (backend) => {
  let root: string;
  let gateway: TestGateway;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-capture-'));
    const env = backend === 'postgres' ? { databaseUrl: (await createTestDatabase('gw_capture')).url } : {};
    gateway = await startTestGateway(join(root, 'home'), { env, settings: { agent: { builtin_delta_interval_ms: 0 } } });
  });

  afterAll(async () => {
    await gateway?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('a newcomer sees the artifact appear: artifact/created and thread/artifacts/changed, then its plain_text projection', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { workspace } = await socket.call<{ workspace: { workspace_id: string } }>('workspace/default');
    const ws = workspace.workspace_id;
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: ws, title: 'files' });
    const { turn } = await socket.call<{ turn: { turn_id: string } }>('turn/start', { workspace_id: ws, thread_id: thread.thread_id, input: [{ type: 'text', text: 'write it down' }] });
    await socket.waitFor(() => socket.notifications.find((n) => n.method === 'turn/completed'));

    const created = socket.notifications.find((n) => n.method === 'artifact/created');
    expect(created?.params).toMatchObject({ thread_id: thread.thread_id, artifact: { name: `${turn.turn_id}-reply.md`, mime_type: 'text/markdown', source_kind: 'tool_output' } });
    const bound = socket.notifications.find((n) => n.method === 'thread/artifacts/changed');
    expect(bound?.params).toMatchObject({ thread_id: thread.thread_id, binding: { binding_kind: 'tool_output', turn_id: turn.turn_id, item_id: 'tool_1' } });
    // Both before the turn completed: a client that sees turn/completed finds the file listed.
    const order = socket.notifications.map((n) => n.method);
    expect(order.indexOf('artifact/created')).toBeLessThan(order.indexOf('turn/completed'));

    // The file lives in the turn's directory inside the workspace's working directory under the home.
    const file = join(root, 'home', 'work', ws, turn.turn_id, 'reply.md');
    expect(readFileSync(file, 'utf8')).toContain('write it down');
    const listed = await gateway.runtime.store.artifacts.listByTurn({ workspace_id: ws, turn_id: turn.turn_id });
    expect(listed.items).toHaveLength(1);
    const ref = listed.items[0]!.artifact;
    const blob = join(root, 'home', 'artifacts', 'workspaces', ws, 'blobs', 'sha256', ref.sha256.slice(0, 2), ref.sha256.slice(2, 4), ref.sha256);
    expect(existsSync(blob)).toBe(true);

    // The projection worker runs off the request path; its result reaches the thread's subscribers.
    const projected = await socket.waitFor(() => socket.notifications.find((n) => n.method === 'artifact/projection/updated'), 10_000);
    expect(projected.params).toMatchObject({ thread_id: thread.thread_id, projection: { kind: 'plain_text', status: 'ready', text: expect.stringContaining('write it down') } });
    const text = await gateway.services.artifacts.readText({ workspace_id: ws, artifact_id: ref.artifact_id });
    expect(text).toMatchObject({ source: 'blob', truncated: false, text: expect.stringContaining('write it down') });
    await socket.close();
  }, 30_000);
});
