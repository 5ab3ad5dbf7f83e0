import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCairnClient, hasRpcErrorCode, type CairnClient } from '@cairn/client';
import type { AnyNotification, ArtifactRef } from '@cairn/protocol';
import { createTestDatabase } from '@cairn/tooling/postgres';
import type { TestGateway } from '@cairn/gateway/testing';
import { allPages, checkedCall, expectNotificationValid, gatewayAt, tempRoot, waitUntil } from './testing/e2e-support.js';

// The artifact metadata methods through @cairn/client on a real gateway (SQLite, then
// PostgreSQL): list, get, read, bind, delete, restore, the notifications each write sends, and
// the workspace boundary.

const dirs = tempRoot('cairn-artifacts-e2e-');
const A = 'ws-art-a';
const B = 'ws-art-b';
const THREAD = 'thr-art';
const TURN = 'turn-art';
let gateway: TestGateway;
const clients: CairnClient[] = [];

function connect(token: string): { client: CairnClient; seen: AnyNotification[] } {
  const client = createCairnClient({ url: gateway.rpcUrl, token, reconnect: { maxAttempts: 2 } });
  clients.push(client);
  const seen: AnyNotification[] = [];
  client.onAny((n) => seen.push(n));
  return { client, seen };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Bytes in through the artifact service (what an upload or a capture does), its commit announced to the hub. */
async function ingest(workspaceId: string, name: string, text: string, bindings: Parameters<TestGateway['services']['artifacts']['ingestBytes']>[0]['bindings'] = []): Promise<ArtifactRef> {
  const ref = await gateway.services.artifacts.ingestBytes({ workspace_id: workspaceId, name, source_kind: 'agent_output', bindings }, Buffer.from(text, 'utf8'));
  gateway.services.hub.wake(workspaceId);
  return ref;
}

afterAll(() => dirs.cleanup());

describe.each(['sqlite', 'postgres'] as const)('artifact/* through @cairn/client (%s)', (backend) => {
  beforeAll(async () => {
    const env = backend === 'postgres' ? { databaseUrl: (await createTestDatabase('gw_artifacts')).url } : {};
    gateway = await gatewayAt(dirs.home(backend), { agent: { runtime: 'external' } }, { env });
    expect(gateway.runtime.store.postgres === undefined).toBe(backend === 'sqlite');
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await gateway?.close();
  }, 60_000);

  let report: ArtifactRef;
  let seen: AnyNotification[];
  let client: CairnClient;

  beforeAll(async () => {
    ({ client, seen } = connect(gateway.operatorToken));
    await checkedCall(client, 'workspace/create', { workspace_id: A, name: 'A' });
    await checkedCall(client, 'workspace/create', { workspace_id: B, name: 'B' });
    await checkedCall(client, 'thread/start', { workspace_id: A, thread_id: THREAD, title: 'files' });
    await checkedCall(client, 'turn/start', { workspace_id: A, thread_id: THREAD, turn_id: TURN, input: [{ type: 'text', text: 'write the report' }] });
  }, 30_000);

  it('lists what was ingested: by workspace, thread (paginated), turn and message; get and read it', async () => {
    report = await ingest(A, 'report.md', '# Report\n\nÜber alles, 名前.\n', [{ binding_kind: 'agent_output', turn_id: TURN, message_id: 'msg-1' }]);
    for (let i = 0; i < 3; i++) await ingest(A, `note-${i}.txt`, `note ${i}`, [{ binding_kind: 'tool_output', turn_id: TURN, item_id: `item-${i}` }]);
    await waitUntil(() => seen.filter((n) => n.method === 'thread/artifacts/changed').length === 4, 'four thread/artifacts/changed');

    const caps = await checkedCall(client, 'artifact/capabilities', { workspace_id: A });
    expect(caps).toMatchObject({ usage: { workspace_id: A, files: 4 }, quotas: { workspace_artifact_files: 100_000, warn_at_fraction: 0.8 }, recommended_chunk_bytes: 256 * 1024 });
    expect(caps.kinds).toContain('pdf');

    const listed = await checkedCall(client, 'artifact/list', { workspace_id: A });
    expect(listed.items.map((a) => a.name)).toEqual(['note-2.txt', 'note-1.txt', 'note-0.txt', 'report.md']);
    const byThread = await allPages((cursor) => checkedCall(client, 'artifact/list/thread', { workspace_id: A, thread_id: THREAD, limit: 3, ...(cursor ? { cursor } : {}) }));
    expect(byThread.map((e) => e.artifact.name)).toEqual(['report.md', 'note-0.txt', 'note-1.txt', 'note-2.txt']);
    expect(byThread[0]!.binding).toMatchObject({ scope: 'message', thread_id: THREAD, turn_id: TURN, message_id: 'msg-1', direction: 'output' });
    expect((await checkedCall(client, 'artifact/list/turn', { workspace_id: A, turn_id: TURN })).items).toHaveLength(4);
    expect((await checkedCall(client, 'artifact/list/message', { workspace_id: A, message_id: 'msg-1' })).items.map((e) => e.artifact.artifact_id)).toEqual([report.artifact_id]);

    const got = await checkedCall(client, 'artifact/get', { workspace_id: A, artifact_id: report.artifact_id });
    expect(got.artifact).toMatchObject({ artifact_id: report.artifact_id, status: 'ready', current_version_id: report.version_id, thread_id: THREAD });
    const read = await checkedCall(client, 'artifact/read', { workspace_id: A, artifact_id: report.artifact_id });
    expect(read).toMatchObject({ source: 'blob', truncated: false, text: '# Report\n\nÜber alles, 名前.\n' });
    expect(await checkedCall(client, 'artifact/read', { workspace_id: A, artifact_id: report.artifact_id, max_bytes: 12 })).toMatchObject({ text: '# Report\n\nÜ', truncated: true });

    const created = seen.find((n) => n.method === 'artifact/created' && n.params.artifact.artifact_id === report.artifact_id);
    expect(created?.params).toMatchObject({ workspace_id: A, thread_id: THREAD, artifact: { name: 'report.md' } });
    for (const n of seen) expectNotificationValid(n);
  });

  it('bind, delete and restore answer and notify: thread/artifacts/changed, artifact/deleted, artifact/updated', async () => {
    const other = await checkedCall(client, 'thread/start', { workspace_id: A, thread_id: 'thr-art-2' });
    const bound = await checkedCall(client, 'artifact/bind', { workspace_id: A, artifact_id: report.artifact_id, binding: { binding_kind: 'context_attachment', thread_id: other.thread.thread_id } });
    expect(bound).toMatchObject({ created: true, binding: { scope: 'thread', direction: 'context', thread_id: 'thr-art-2' } });
    expect(await checkedCall(client, 'artifact/bind', { workspace_id: A, artifact_id: report.artifact_id, binding: { binding_kind: 'context_attachment', thread_id: 'thr-art-2' } })).toEqual({ ...bound, created: false });
    await waitUntil(() => seen.some((n) => n.method === 'thread/artifacts/changed' && n.params.thread_id === 'thr-art-2'), 'the bind notification');
    // A workspace-only binding is journaled but sends no thread notification.
    await checkedCall(client, 'artifact/bind', { workspace_id: A, artifact_id: report.artifact_id, binding: { binding_kind: 'draft_upload' } });

    const deleted = await checkedCall(client, 'artifact/delete', { workspace_id: A, artifact_id: report.artifact_id });
    expect(deleted.artifact).toMatchObject({ status: 'deleted', deleted_at: expect.any(String) });
    await waitUntil(() => seen.some((n) => n.method === 'artifact/deleted'), 'artifact/deleted');
    expect((await checkedCall(client, 'artifact/list/thread', { workspace_id: A, thread_id: THREAD })).items.map((e) => e.artifact.name)).not.toContain('report.md');
    const unavailable = await rejection(client.call('artifact/bind', { workspace_id: A, artifact_id: report.artifact_id, binding: { binding_kind: 'user_input' } }));
    expect(hasRpcErrorCode(unavailable, 'artifact_unavailable')).toBe(true);

    const restored = await checkedCall(client, 'artifact/restore', { workspace_id: A, artifact_id: report.artifact_id });
    expect(restored.artifact).toMatchObject({ status: 'ready', deleted_at: null });
    await waitUntil(() => seen.some((n) => n.method === 'artifact/updated' && n.params.change === 'restored'), 'artifact/updated (restored)');
    const deletedNote = seen.find((n) => n.method === 'artifact/deleted');
    expect(deletedNote?.params).toMatchObject({ workspace_id: A, thread_id: THREAD, artifact: { artifact_id: report.artifact_id, status: 'deleted' } });

    const changes = seen.filter((n) => n.method === 'thread/artifacts/changed');
    expect(changes.every((n) => typeof n.params.thread_id === 'string')).toBe(true);
    expect(changes).toHaveLength(5);
    for (const n of seen) expectNotificationValid(n);
    const seqs = seen.map((n) => n.params.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]!).toBeGreaterThan(seqs[i - 1]!);
  });

  it('refuses other workspaces: a scoped token gets forbidden_workspace, another workspace id gets not_found, a draft thread not_found', async () => {
    const foreign = await ingest(B, 'secret-plan.txt', 'B only');
    const scoped = connect(await gateway.scopedToken([A])).client;
    for (const [method, params] of [
      ['artifact/list', { workspace_id: B }],
      ['artifact/get', { workspace_id: B, artifact_id: foreign.artifact_id }],
      ['artifact/read', { workspace_id: B, artifact_id: foreign.artifact_id }],
      ['artifact/delete', { workspace_id: B, artifact_id: foreign.artifact_id }],
      ['artifact/capabilities', { workspace_id: B }],
    ] as const) {
      expect([method, hasRpcErrorCode(await rejection(scoped.call(method, params as never)), 'forbidden_workspace')]).toEqual([method, true]);
    }
    // Naming its own workspace with B's artifact: exactly like a missing one.
    for (const artifactId of [foreign.artifact_id, 'art-missing']) {
      for (const method of ['artifact/get', 'artifact/read', 'artifact/delete', 'artifact/restore'] as const) {
        const error = await rejection(scoped.call(method, { workspace_id: A, artifact_id: artifactId }));
        expect([method, artifactId, hasRpcErrorCode(error, 'not_found')]).toEqual([method, artifactId, true]);
      }
      const bind = await rejection(scoped.call('artifact/bind', { workspace_id: A, artifact_id: artifactId, binding: { binding_kind: 'user_input' } }));
      expect(hasRpcErrorCode(bind, 'not_found')).toBe(true);
    }
    expect(hasRpcErrorCode(await rejection(scoped.call('artifact/list/thread', { workspace_id: A, thread_id: 'thr-draft' })), 'not_found')).toBe(true);
    expect((await checkedCall(scoped, 'artifact/list', { workspace_id: A })).items.map((a) => a.artifact_id)).not.toContain(foreign.artifact_id);
    // B's artifact is untouched.
    expect((await gateway.runtime.store.artifacts.get({ workspace_id: B, artifact_id: foreign.artifact_id })).artifact.status).toBe('ready');
    // And bad params are invalid_params before any handler runs.
    expect(hasRpcErrorCode(await rejection(scoped.call('artifact/list', { workspace_id: A, kind: 'hologram' } as never)), 'invalid_params')).toBe(true);
  });
});
