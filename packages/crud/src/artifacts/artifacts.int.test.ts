import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NOTIFICATION_OF_EVENT, type ArtifactQuotas } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { FOREIGN_THREAD, OTHER_THREAD, OTHER_WS, THREAD, TURN, WS, openArtifactFixture, sha, type ArtifactFixture } from './testing/artifact-fixture.js';

describe('store.artifacts: versions, bindings, listing, lifecycle', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  it('records a new artifact; a new version moves the current one and the old stays readable by version_id', async () => {
    const v1 = await f.record('report-v1', { name: 'report.md', mime_type: 'text/markdown', artifact_id: 'art-report', version_id: 'ver-1' });
    expect(v1).toEqual({
      artifact_id: 'art-report',
      version_id: 'ver-1',
      workspace_id: WS,
      sha256: sha('report-v1'),
      size_bytes: 100,
      name: 'report.md',
      mime_type: 'text/markdown',
      kind: 'text',
    });
    const v2 = await f.record('report-v2', { name: 'report.md', mime_type: 'text/markdown', artifact_id: 'art-report', size_bytes: 250 });
    expect(v2).toMatchObject({ artifact_id: 'art-report', size_bytes: 250 });
    expect(v2.version_id).toMatch(/^ver_/);

    const current = await f.store.artifacts.get({ workspace_id: WS, artifact_id: 'art-report' });
    expect(current.artifact).toMatchObject({ current_version_id: v2.version_id, version_count: 2, sha256: sha('report-v2'), size_bytes: 250, status: 'ready' });
    expect(current.version).toMatchObject({ version_id: v2.version_id, version_number: 2 });
    const old = await f.store.artifacts.get({ workspace_id: WS, artifact_id: 'art-report', version_id: 'ver-1' });
    expect(old.version).toMatchObject({ version_id: 'ver-1', version_number: 1, sha256: sha('report-v1') });
    expect(await f.store.artifacts.getVersion({ workspace_id: WS, version_id: 'ver-1' })).toEqual(old.version);
    // A text file gets a plain_text projection queued, per version.
    expect(old.projections).toMatchObject([{ kind: 'plain_text', status: 'pending', version_id: 'ver-1' }]);

    const page1 = await f.store.artifacts.versions({ workspace_id: WS, artifact_id: 'art-report', limit: 1 });
    expect(page1.items.map((v) => v.version_number)).toEqual([2]);
    const page2 = await f.store.artifacts.versions({ workspace_id: WS, artifact_id: 'art-report', limit: 1, cursor: page1.next_cursor! });
    expect(page2).toEqual({ items: [old.version], next_cursor: null });

    expect((await f.artifactEvents()).map((e) => e.type)).toEqual(['artifact.created', 'artifact.version_added']);
  });

  it('answers a retried version_id with the first version and writes nothing; another declaration on it is conflict', async () => {
    const first = await f.record('a', { version_id: 'ver-a' });
    const again = await f.record('a', { version_id: 'ver-a' });
    expect(again).toEqual(first);
    expect(await f.artifactEvents()).toHaveLength(1);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 100, files: 1 });
    await expectCode(f.record('b', { version_id: 'ver-a' }), 'conflict');
  });

  it('binds at the narrowest scope, lists by thread, turn and message through bindings, paginated', async () => {
    const created = [];
    for (let i = 0; i < 5; i++) {
      created.push(
        await f.record(`out-${i}`, {
          bindings: [{ binding_kind: 'tool_output', turn_id: TURN, item_id: `item-${i}`, ...(i % 2 === 0 ? { message_id: 'msg-1' } : {}) }],
        }),
      );
    }
    await f.record('elsewhere', { bindings: [{ binding_kind: 'context_attachment', thread_id: OTHER_THREAD }] });
    await f.record('workspace-only', { bindings: [{ binding_kind: 'draft_upload' }] });

    const thread = await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD, limit: 2 });
    expect(thread.items).toHaveLength(2);
    expect(thread.items[0]!.binding).toMatchObject({ scope: 'message', thread_id: THREAD, turn_id: TURN, direction: 'output', binding_kind: 'tool_output' });
    expect(thread.items[1]!.binding).toMatchObject({ scope: 'item', item_id: 'item-1', message_id: null });
    const seen = [...thread.items];
    let cursor = thread.next_cursor;
    while (cursor !== null) {
      const page = await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD, limit: 2, cursor });
      seen.push(...page.items);
      cursor = page.next_cursor;
    }
    expect(seen.map((e) => e.artifact.artifact_id)).toEqual(created.map((r) => r.artifact_id));
    expect(seen[0]!.artifact).toMatchObject({ thread_id: THREAD, name: 'out-0.txt' });

    expect((await f.store.artifacts.listByTurn({ workspace_id: WS, turn_id: TURN })).items).toHaveLength(5);
    const message = await f.store.artifacts.listByMessage({ workspace_id: WS, message_id: 'msg-1' });
    expect(message.items.map((e) => e.artifact.artifact_id)).toEqual([created[0]!, created[2]!, created[4]!].map((r) => r.artifact_id));
    expect(await f.store.artifacts.listByMessage({ workspace_id: WS, message_id: 'msg-none' })).toEqual({ items: [], next_cursor: null });
    expect((await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: OTHER_THREAD })).items.map((e) => e.binding.scope)).toEqual(['thread']);

    // Every artifact is in its workspace's list, newest first, whatever it is bound to.
    const all = await f.store.artifacts.list({ workspace_id: WS });
    expect(all.items.map((a) => a.name)).toEqual(['workspace-only.txt', 'elsewhere.txt', 'out-4.txt', 'out-3.txt', 'out-2.txt', 'out-1.txt', 'out-0.txt']);
    const page = await f.store.artifacts.list({ workspace_id: WS, limit: 4 });
    const rest = await f.store.artifacts.list({ workspace_id: WS, limit: 4, cursor: page.next_cursor! });
    expect([...page.items, ...rest.items]).toEqual(all.items);
    await expectCode(f.store.artifacts.list({ workspace_id: WS, cursor: thread.next_cursor! }), 'invalid_params');
  });

  it('bind: the same binding again is one row (created: false); a pinned version; a later thread binding reaches that thread', async () => {
    const ref = await f.record('doc', { bindings: [{ binding_kind: 'draft_upload' }] });
    const bound = await f.store.artifacts.bind({ workspace_id: WS, artifact_id: ref.artifact_id, binding: { binding_kind: 'user_input', turn_id: TURN, message_id: 'msg-9' } });
    expect(bound).toMatchObject({ created: true, binding: { scope: 'message', thread_id: THREAD, direction: 'input', version_id: null } });
    expect(await f.store.artifacts.bind({ workspace_id: WS, artifact_id: ref.artifact_id, binding: { binding_kind: 'user_input', turn_id: TURN, message_id: 'msg-9' } })).toEqual({
      ...bound,
      created: false,
    });
    const pinned = await f.store.artifacts.bind({ workspace_id: WS, artifact_id: ref.artifact_id, version_id: ref.version_id, binding: { binding_kind: 'context_attachment', thread_id: OTHER_THREAD, pin_version: true } });
    expect(pinned.binding).toMatchObject({ version_id: ref.version_id, scope: 'thread', direction: 'context' });

    const events = await f.artifactEvents();
    expect(events.map((e) => [e.type, e.thread_id])).toEqual([
      ['artifact.created', null],
      ['artifact.bound', null],
      ['artifact.bound', THREAD],
      ['artifact.bound', OTHER_THREAD],
    ]);
    // The first thread bound becomes the artifact's thread: its later events go to that thread's subscribers.
    expect((await f.store.artifacts.get({ workspace_id: WS, artifact_id: ref.artifact_id })).artifact.thread_id).toBe(THREAD);
    await f.store.artifacts.delete({ workspace_id: WS, artifact_id: ref.artifact_id });
    expect((await f.artifactEvents()).at(-1)).toMatchObject({ type: 'artifact.deleted', thread_id: THREAD });
    for (const e of events) expect(NOTIFICATION_OF_EVENT[e.type as keyof typeof NOTIFICATION_OF_EVENT]).toBeDefined();
  });

  it('refuses bindings to a draft thread, a turn of another thread, a message without its turn; nothing written', async () => {
    await expectCode(f.record('x', { bindings: [{ binding_kind: 'user_input', thread_id: 'draft-thread' }] }), 'not_found');
    await expectCode(f.record('x', { bindings: [{ binding_kind: 'user_input', turn_id: 'u-missing' }] }), 'not_found');
    await expectCode(f.record('x', { bindings: [{ binding_kind: 'user_input', turn_id: TURN, thread_id: OTHER_THREAD }] }), 'invalid_params');
    await expectCode(f.record('x', { bindings: [{ binding_kind: 'user_input', message_id: 'm' }] }), 'invalid_params');
    expect(await f.artifactEvents()).toEqual([]);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 0, files: 0 });
    // No artifact query for a thread that is not materialized: not_found, like thread/get.
    await expectCode(f.store.artifacts.listByThread({ workspace_id: WS, thread_id: 'draft-thread' }), 'not_found');
    await expectCode(f.store.threads.get({ workspace_id: WS, thread_id: 'draft-thread' }), 'not_found');
    await expectCode(f.store.artifacts.listByTurn({ workspace_id: WS, turn_id: 'u-missing' }), 'not_found');
  });

  it('soft delete and restore change the status only: versions, bindings and bytes stay; listings hide deleted ones unless asked', async () => {
    const ref = await f.record('keep', { bindings: [{ binding_kind: 'agent_output', thread_id: THREAD }] });
    const deleted = await f.store.artifacts.delete({ workspace_id: WS, artifact_id: ref.artifact_id });
    expect(deleted).toMatchObject({ status: 'deleted', deleted_at: expect.any(String) });
    expect(await f.store.artifacts.delete({ workspace_id: WS, artifact_id: ref.artifact_id })).toEqual(deleted);
    expect((await f.store.artifacts.list({ workspace_id: WS })).items).toEqual([]);
    expect((await f.store.artifacts.list({ workspace_id: WS, include_deleted: true })).items).toEqual([deleted]);
    expect((await f.store.artifacts.list({ workspace_id: WS, status: 'deleted' })).items).toEqual([deleted]);
    expect((await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD })).items).toEqual([]);
    expect((await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD, include_deleted: true })).items).toHaveLength(1);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 100, files: 0 });
    expect((await f.store.artifacts.getVersion({ workspace_id: WS, version_id: ref.version_id })).sha256).toBe(sha('keep'));
    // A deleted artifact takes no new version and no binding until restored.
    await expectCode(f.record('keep-2', { artifact_id: ref.artifact_id }), 'artifact_unavailable');
    const err = await expectCode(f.store.artifacts.bind({ workspace_id: WS, artifact_id: ref.artifact_id, binding: { binding_kind: 'user_input' } }), 'artifact_unavailable');
    expect(err.details).toMatchObject({ status: 'deleted' });

    const restored = await f.store.artifacts.restore({ workspace_id: WS, artifact_id: ref.artifact_id });
    expect(restored).toMatchObject({ status: 'ready', deleted_at: null, artifact_id: ref.artifact_id });
    expect(await f.store.artifacts.restore({ workspace_id: WS, artifact_id: ref.artifact_id })).toEqual(restored);
    expect((await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD })).items.map((e) => e.artifact)).toEqual([restored]);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 100, files: 1 });
    expect((await f.artifactEvents()).map((e) => e.type)).toEqual(['artifact.created', 'artifact.bound', 'artifact.deleted', 'artifact.restored']);
  });

  it("refuses another workspace's ids exactly like missing ones, and never leaks across workspaces", async () => {
    const mine = await f.record('mine', { bindings: [{ binding_kind: 'agent_output', thread_id: THREAD }] });
    const theirs = await f.store.artifacts.recordVersion({
      workspace_id: OTHER_WS, sha256: sha('mine'), size_bytes: 100, name: 'theirs.txt', mime_type: 'text/plain', kind: 'text', source_kind: 'user_upload',
      bindings: [{ binding_kind: 'user_input', thread_id: FOREIGN_THREAD }],
    });
    const ref = { workspace_id: OTHER_WS, artifact_id: mine.artifact_id };
    await expectCode(f.store.artifacts.get(ref), 'not_found');
    await expectCode(f.store.artifacts.getVersion({ workspace_id: OTHER_WS, version_id: mine.version_id }), 'not_found');
    await expectCode(f.store.artifacts.versions(ref), 'not_found');
    await expectCode(f.store.artifacts.delete(ref), 'not_found');
    await expectCode(f.store.artifacts.restore(ref), 'not_found');
    await expectCode(f.store.artifacts.bind({ ...ref, binding: { binding_kind: 'user_input' } }), 'not_found');
    await expectCode(f.store.artifacts.getProjections({ workspace_id: OTHER_WS, version_id: mine.version_id }), 'not_found');
    await expectCode(f.store.artifacts.listByThread({ workspace_id: OTHER_WS, thread_id: THREAD }), 'not_found');
    await expectCode(f.store.artifacts.listByTurn({ workspace_id: OTHER_WS, turn_id: TURN }), 'not_found');
    // Binding my artifact to their thread, or a version to their artifact: not_found / conflict, nothing written.
    await expectCode(f.store.artifacts.bind({ workspace_id: WS, artifact_id: mine.artifact_id, binding: { binding_kind: 'user_input', thread_id: FOREIGN_THREAD } }), 'not_found');
    await expectCode(f.record('x', { artifact_id: theirs.artifact_id }), 'conflict');
    await expectCode(f.store.artifacts.usage({ workspace_id: 'w-none' }), 'not_found');
    // The same bytes in two workspaces are two blob rows, each counted in its own workspace.
    expect(await f.store.artifacts.usage({ workspace_id: OTHER_WS })).toEqual({ workspace_id: OTHER_WS, bytes: 100, files: 1 });
    expect((await f.store.artifacts.list({ workspace_id: OTHER_WS })).items.map((a) => a.artifact_id)).toEqual([theirs.artifact_id]);
    expect((await f.store.artifacts.listByThread({ workspace_id: WS, thread_id: THREAD })).items.map((e) => e.artifact.artifact_id)).toEqual([mine.artifact_id]);
  });

  it('validates params: bad names, types and sizes are invalid_params, nothing written', async () => {
    await expectCode(f.record('x', { name: '../etc/passwd' }), 'invalid_params');
    await expectCode(f.record('x', { name: '..' }), 'invalid_params');
    await expectCode(f.record('x', { mime_type: 'text' }), 'invalid_params');
    await expectCode(f.record('x', { sha256: 'ABC' }), 'invalid_params');
    await expectCode(f.record('x', { size_bytes: -1 }), 'invalid_params');
    await expectCode(f.record('x', { kind: 'hologram' as never }), 'invalid_params');
    await expectCode(f.store.artifacts.get({ workspace_id: WS } as never), 'invalid_params');
    // The same hash with another size is impossible for honest bytes.
    await f.record('same', { size_bytes: 10 });
    await expectCode(f.record('same', { size_bytes: 11 }), 'invalid_params');
    expect(await f.artifactEvents()).toHaveLength(1);
  });
});

describe('store.artifacts: quotas', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  const quotas: ArtifactQuotas = { max_artifact_bytes: 600, workspace_artifact_bytes: 1000, workspace_artifact_files: 4, warn_at_fraction: 0.8 };

  it('refuses a version over max_artifact_bytes and usage over the workspace quotas with quota_exceeded; nothing written', async () => {
    const big = await expectCode(f.record('big', { size_bytes: 601, quotas }), 'quota_exceeded');
    expect(big.details).toMatchObject({ quota: 'max_artifact_bytes', limit: 600, used: 0, requested: 601 });
    await f.record('a', { size_bytes: 500, quotas });
    const over = await expectCode(f.record('b', { size_bytes: 501, quotas }), 'quota_exceeded');
    expect(over.details).toEqual({ workspace_id: WS, quota: 'workspace_artifact_bytes', limit: 1000, used: 500, requested: 501 });
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 500, files: 1 });
    expect(await f.artifactEvents()).toHaveLength(1);
    // Identical bytes are stored once, so they cost no bytes quota (a new file still counts).
    await f.record('a', { size_bytes: 500, quotas, name: 'copy.txt' });
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 500, files: 2 });
    await f.record('c', { size_bytes: 1, quotas });
    await f.record('d', { size_bytes: 1, quotas });
    const files = await expectCode(f.record('e', { size_bytes: 1, quotas }), 'quota_exceeded');
    expect(files.details).toMatchObject({ quota: 'workspace_artifact_files', limit: 4, used: 4, requested: 1 });
    // A new version of an existing artifact is not a new file.
    const ref = (await f.store.artifacts.list({ workspace_id: WS, limit: 1 })).items[0]!;
    await f.record('d-2', { size_bytes: 1, quotas, artifact_id: ref.artifact_id });
    // Delete frees a file; restore takes it again, and is refused when the quota is full meanwhile.
    await f.store.artifacts.delete({ workspace_id: WS, artifact_id: ref.artifact_id });
    await f.record('f', { size_bytes: 1, quotas });
    await expectCode(f.store.artifacts.restore({ workspace_id: WS, artifact_id: ref.artifact_id }, { quotas }), 'quota_exceeded');
    expect((await f.store.artifacts.get({ workspace_id: WS, artifact_id: ref.artifact_id })).artifact.status).toBe('deleted');
  });

  it('emits workspace.quota_warning once when usage crosses warn_at_fraction, not again above it', async () => {
    const quotas: ArtifactQuotas = { max_artifact_bytes: 600, workspace_artifact_bytes: 1000, workspace_artifact_files: 10, warn_at_fraction: 0.8 };
    await f.record('a', { size_bytes: 500, quotas });
    await f.record('b', { size_bytes: 200, quotas });
    expect((await f.artifactEvents()).filter((e) => e.type === 'workspace.quota_warning')).toEqual([]);
    await f.record('c', { size_bytes: 100, quotas });
    await f.record('c2', { size_bytes: 50, quotas });
    const warnings = (await f.artifactEvents()).filter((e) => e.type === 'workspace.quota_warning');
    expect(warnings).toEqual([
      { type: 'workspace.quota_warning', stream_id: `quota:${WS}`, thread_id: null, payload: { quota: 'workspace_artifact_bytes', limit: 1000, used: 800, warn_at_fraction: 0.8 } },
    ]);
    expect(NOTIFICATION_OF_EVENT['workspace.quota_warning']).toBe('workspace/quota/warning');
    // The files quota has its own threshold (10 * 0.8: crossed by the 8th file).
    for (let i = 1; i <= 3; i++) await f.record(`d${i}`, { size_bytes: 1, quotas });
    expect((await f.artifactEvents()).filter((e) => e.type === 'workspace.quota_warning')).toHaveLength(1);
    await f.record('d4', { size_bytes: 1, quotas });
    expect((await f.artifactEvents()).filter((e) => e.type === 'workspace.quota_warning').map((e) => (e.payload as { quota: string }).quota)).toEqual([
      'workspace_artifact_bytes',
      'workspace_artifact_files',
    ]);
  });

  it('counts derived bytes (a thumbnail) without refusing them, and warns when they cross the threshold', async () => {
    const quotas: ArtifactQuotas = { max_artifact_bytes: 600, workspace_artifact_bytes: 1000, workspace_artifact_files: 10, warn_at_fraction: 0.8 };
    await f.record('a', { size_bytes: 600, quotas });
    await f.store.artifacts.recordBlob({ workspace_id: WS, sha256: sha('thumb-1'), size_bytes: 250, quotas });
    expect((await f.artifactEvents()).filter((e) => e.type === 'workspace.quota_warning').map((e) => e.payload)).toEqual([
      { quota: 'workspace_artifact_bytes', limit: 1000, used: 850, warn_at_fraction: 0.8 },
    ]);
    // Past the quota: still recorded (a projection never fails what already fit), and counted.
    await f.store.artifacts.recordBlob({ workspace_id: WS, sha256: sha('thumb-2'), size_bytes: 250, quotas });
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 1100, files: 1 });
    await expectCode(f.record('b', { size_bytes: 1, quotas }), 'quota_exceeded');
  });
});
