import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { CreateUploadSessionParams } from '@cairn/protocol';
import { expectCode } from '../testing/expect-error.js';
import { OTHER_WS, THREAD, TURN, WS, openArtifactFixture, sha, type ArtifactFixture } from './testing/artifact-fixture.js';

const T0 = '2025-01-01T00:00:00.000Z';
const HOUR = '2025-01-01T01:00:00.000Z';
const DAY = '2025-01-02T00:00:00.000Z';
const LATER = '2030-01-01T00:00:00.000Z';

describe('store.artifacts: provider external refs', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  it('keys a ref by (workspace, artifact, version?, provider, model family?, transport); expired ones are ignored, then pruned', async () => {
    const ref = await f.record('img', { kind: 'image', mime_type: 'image/png', name: 'a.png' });
    const key = { workspace_id: WS, artifact_id: ref.artifact_id, provider: 'openai', transport_kind: 'file_id' as const };
    await f.store.artifacts.putExternalRef({ ...key, external_id: 'file-any', expires_at: DAY });
    await f.store.artifacts.putExternalRef({ ...key, version_id: ref.version_id, model_family: 'gpt-4o', external_id: 'file-pinned', expires_at: HOUR });
    await f.store.artifacts.putExternalRef({ ...key, provider: 'anthropic', external_id: 'file-forever' });

    expect(await f.store.artifacts.getExternalRef({ ...key, now: T0 })).toMatchObject({ external_id: 'file-any', version_id: null, model_family: null, expires_at: DAY });
    expect(await f.store.artifacts.getExternalRef({ ...key, version_id: ref.version_id, model_family: 'gpt-4o', now: T0 })).toMatchObject({ external_id: 'file-pinned' });
    // Each key part matters: another family, another transport, another version: no ref.
    expect(await f.store.artifacts.getExternalRef({ ...key, version_id: ref.version_id, model_family: 'o3', now: T0 })).toBeNull();
    expect(await f.store.artifacts.getExternalRef({ ...key, transport_kind: 'url', now: T0 })).toBeNull();
    // Expired at `now`: ignored (the row is still there until pruned).
    expect(await f.store.artifacts.getExternalRef({ ...key, version_id: ref.version_id, model_family: 'gpt-4o', now: HOUR })).toBeNull();
    expect(await f.store.artifacts.getExternalRef({ ...key, now: LATER })).toBeNull();
    expect(await f.store.artifacts.getExternalRef({ ...key, provider: 'anthropic', now: LATER })).toMatchObject({ external_id: 'file-forever', expires_at: null });

    // Putting the same key again replaces the ref.
    await f.store.artifacts.putExternalRef({ ...key, external_id: 'file-any-2', expires_at: DAY });
    expect(await f.store.artifacts.getExternalRef({ ...key, now: T0 })).toMatchObject({ external_id: 'file-any-2' });

    expect((await f.store.artifacts.expiredExternalRefs({ now: DAY })).map((r) => r.external_id)).toEqual(['file-pinned', 'file-any-2']);
    expect(await f.store.artifacts.pruneExternalRefs({ now: HOUR })).toEqual({ pruned: 1 });
    expect(await f.store.artifacts.pruneExternalRefs({ now: DAY })).toEqual({ pruned: 1 });
    expect(await f.store.artifacts.expiredExternalRefs({ now: LATER })).toEqual([]);
    expect(await f.store.artifacts.getExternalRef({ ...key, provider: 'anthropic', now: LATER })).not.toBeNull();

    // Another workspace's artifact: not_found, nothing written.
    await expectCode(f.store.artifacts.putExternalRef({ ...key, workspace_id: OTHER_WS, external_id: 'x' }), 'not_found');
    await expectCode(f.store.artifacts.getExternalRef({ ...key, workspace_id: OTHER_WS }), 'not_found');
    await expectCode(f.store.artifacts.putExternalRef({ ...key, provider: 'Not A Name', external_id: 'x' }), 'invalid_params');
  });
});

describe('store.artifacts: upload session rows', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  const declare = (overrides: Partial<CreateUploadSessionParams> = {}): CreateUploadSessionParams => ({
    workspace_id: WS,
    token_id: 'tok_1',
    thread_id: THREAD,
    file_name: 'video.mp4',
    mime_type: 'video/mp4',
    size_bytes: 1000,
    sha256: sha('video'),
    source_kind: 'user_upload',
    chunk_size: 256,
    expires_at: LATER,
    ...overrides,
  });

  it('advances by compare-and-set on the offset: a stale or raced offset loses and names where the session is', async () => {
    const s = await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-1' }));
    expect(s).toMatchObject({ upload_id: 'up-1', status: 'open', received_bytes: 0, hash_state: null, size_bytes: 1000, token_id: 'tok_1' });
    expect(await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-1' }))).toEqual(s);
    await expectCode(f.store.artifacts.createUploadSession(declare({ upload_id: 'up-1', size_bytes: 999 })), 'conflict');

    const ref = { workspace_id: WS, upload_id: 'up-1' };
    const a = await f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 0, received_bytes: 256, hash_state: 'h1' });
    expect(a).toMatchObject({ ok: true, session: { received_bytes: 256, hash_state: 'h1' } });
    // Two senders of the same chunk: one wins, the other learns the real offset.
    const [x, y] = await Promise.all([
      f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 256, received_bytes: 512, hash_state: 'h2' }),
      f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 256, received_bytes: 512, hash_state: 'h2-other' }),
    ]);
    expect([x.ok, y.ok].sort()).toEqual([false, true]);
    const loser = x.ok ? y : x;
    expect(loser).toMatchObject({ ok: false, reason: 'offset_mismatch', session: { received_bytes: 512 } });
    expect((await f.store.artifacts.getUploadSession(ref)).received_bytes).toBe(512);
    await expectCode(f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 512, received_bytes: 1001, hash_state: 'h' }), 'payload_too_large');
    await expectCode(f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 512, received_bytes: 512, hash_state: 'h' }), 'invalid_params');

    // Finish needs every byte and the version it became, with the declared bytes.
    await expectCode(f.store.artifacts.finishUploadSession({ ...ref, artifact_id: 'a', version_id: 'v' }), 'conflict');
    await f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 512, received_bytes: 1000, hash_state: 'h3' });
    const other = await f.record('not-the-video', { size_bytes: 1000 });
    await expectCode(f.store.artifacts.finishUploadSession({ ...ref, artifact_id: other.artifact_id, version_id: other.version_id }), 'checksum_mismatch');
    const video = await f.record('video', { size_bytes: 1000, name: 'video.mp4', mime_type: 'video/mp4', kind: 'video' });
    const done = await f.store.artifacts.finishUploadSession({ ...ref, artifact_id: video.artifact_id, version_id: video.version_id });
    expect(done).toMatchObject({ status: 'finished', artifact_id: video.artifact_id, version_id: video.version_id });
    expect(await f.store.artifacts.finishUploadSession({ ...ref, artifact_id: video.artifact_id, version_id: video.version_id })).toEqual(done);
    expect(await f.store.artifacts.advanceUploadSession({ ...ref, expected_offset: 999, received_bytes: 1000, hash_state: 'h' })).toMatchObject({ ok: false, reason: 'not_open', session: { status: 'finished' } });
    await expectCode(f.store.artifacts.abortUploadSession(ref), 'conflict');
  });

  it('aborts, expires, lists expired and open sessions; checks the declared size against the quotas; refuses other workspaces', async () => {
    await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-a', expires_at: HOUR }));
    await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-b', expires_at: DAY, thread_id: 'draft-thread' }));
    await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-c', expires_at: LATER }));
    expect((await f.store.artifacts.openUploadSessions()).map((s) => s.upload_id)).toEqual(['up-a', 'up-b', 'up-c']);
    expect((await f.store.artifacts.expiredUploadSessions({ now: DAY, limit: 10 })).map((s) => s.upload_id)).toEqual(['up-a', 'up-b']);
    expect(await f.store.artifacts.abortUploadSession({ workspace_id: WS, upload_id: 'up-a' })).toMatchObject({ status: 'aborted' });
    expect(await f.store.artifacts.expireUploadSession({ workspace_id: WS, upload_id: 'up-b' })).toMatchObject({ status: 'expired' });
    expect((await f.store.artifacts.openUploadSessions()).map((s) => s.upload_id)).toEqual(['up-c']);
    expect(await f.store.artifacts.expiredUploadSessions({ now: DAY, limit: 10 })).toEqual([]);

    const quotas = { max_artifact_bytes: 999, workspace_artifact_bytes: 10_000, workspace_artifact_files: 10, warn_at_fraction: 0.8 };
    const big = await expectCode(f.store.artifacts.createUploadSession(declare({ upload_id: 'up-big', quotas })), 'quota_exceeded');
    expect(big.details).toMatchObject({ quota: 'max_artifact_bytes', requested: 1000 });
    await expectCode(f.store.artifacts.createUploadSession(declare({ upload_id: 'up-ws', quotas: { ...quotas, max_artifact_bytes: 5000, workspace_artifact_bytes: 999 } })), 'quota_exceeded');

    await expectCode(f.store.artifacts.getUploadSession({ workspace_id: OTHER_WS, upload_id: 'up-c' }), 'not_found');
    await expectCode(f.store.artifacts.advanceUploadSession({ workspace_id: OTHER_WS, upload_id: 'up-c', expected_offset: 0, received_bytes: 1, hash_state: 'h' }), 'not_found');
    await expectCode(f.store.artifacts.abortUploadSession({ workspace_id: OTHER_WS, upload_id: 'up-c' }), 'not_found');
    await expectCode(f.store.artifacts.createUploadSession(declare({ upload_id: 'up-x', workspace_id: OTHER_WS, thread_id: THREAD })), 'not_found');
    await expectCode(f.store.artifacts.createUploadSession(declare({ upload_id: 'up-y', turn_id: TURN, thread_id: 't2' })), 'not_found');
    expect((await f.store.artifacts.getUploadSession({ workspace_id: WS, upload_id: 'up-c' })).received_bytes).toBe(0);
  });

  it('refuses to advance an expired session (session_expired)', async () => {
    await f.store.artifacts.createUploadSession(declare({ upload_id: 'up-old', expires_at: T0 }));
    await expectCode(f.store.artifacts.advanceUploadSession({ workspace_id: WS, upload_id: 'up-old', expected_offset: 0, received_bytes: 10, hash_state: 'h' }), 'session_expired');
    expect((await f.store.artifacts.getUploadSession({ workspace_id: WS, upload_id: 'up-old' })).received_bytes).toBe(0);
  });
});

describe('store.artifacts: GC support', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  /**
   * A blob row nothing references yet, with its bytes counted: what the artifact service's
   * thumbnail writes leave before `recordProjection`, written here directly. (Versions are
   * immutable and never deleted, so a version's blob row stays referenced.)
   */
  async function orphanBlob(label: string): Promise<string> {
    const { blob, created } = await f.store.artifacts.recordBlob({ workspace_id: WS, sha256: sha(label), size_bytes: 10 });
    expect(created).toBe(true);
    expect(await f.store.artifacts.recordBlob({ workspace_id: WS, sha256: sha(label), size_bytes: 10 })).toEqual({ blob, created: false });
    await expectCode(f.store.artifacts.recordBlob({ workspace_id: WS, sha256: sha(label), size_bytes: 11 }), 'invalid_params');
    return blob.sha256;
  }

  it('reports and deletes only unreferenced blob rows; a version, an open upload session or a projection keeps a blob', async () => {
    const version = await f.record('held-by-version');
    const orphan = await orphanBlob('orphan');
    const uploading = await orphanBlob('uploading');
    const thumb = await orphanBlob('thumbnail');
    await f.store.artifacts.createUploadSession({
      workspace_id: WS, upload_id: 'up-1', token_id: 'tok', file_name: 'u.bin', mime_type: 'application/octet-stream', size_bytes: 10, sha256: uploading,
      source_kind: 'user_upload', chunk_size: 10, expires_at: LATER,
    });
    const img = await f.record('picture', { kind: 'image', mime_type: 'image/png', name: 'p.png' });
    await f.store.artifacts.recordProjection({ workspace_id: WS, version_id: img.version_id, kind: 'thumbnail', status: 'ready', blob_sha256: thumb });

    // Grace: a blob created at or after `older_than` is no candidate.
    expect(await f.store.artifacts.unreferencedBlobs({ older_than: T0, limit: 10 })).toEqual([]);
    const candidates = await f.store.artifacts.unreferencedBlobs({ older_than: LATER, limit: 10 });
    expect(candidates.map((b) => b.sha256)).toEqual([orphan]);
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: version.sha256 })).toBe(false);
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: uploading })).toBe(false);
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: thumb })).toBe(false);
    // Another workspace cannot delete this workspace's blob row.
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: OTHER_WS, sha256: orphan })).toBe(false);
    const before = await f.store.artifacts.usage({ workspace_id: WS });
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: orphan })).toBe(true);
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: orphan })).toBe(false);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ ...before, bytes: before.bytes - 10 });

    // Once the upload is aborted nothing holds its blob.
    await f.store.artifacts.abortUploadSession({ workspace_id: WS, upload_id: 'up-1' });
    expect((await f.store.artifacts.unreferencedBlobs({ older_than: LATER, limit: 10 })).map((b) => b.sha256)).toEqual([uploading]);
  });

  it('re-checks in the delete transaction: a blob planned as orphan but referenced by a version since is kept', async () => {
    const orphan = await orphanBlob('late');
    const plan = await f.store.artifacts.unreferencedBlobs({ older_than: LATER, limit: 10 });
    expect(plan.map((b) => b.sha256)).toEqual([orphan]);
    // Between the plan and its execution an ingest records a version of exactly these bytes.
    const ref = await f.record('late', { size_bytes: 10 });
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: orphan })).toBe(false);
    expect(await f.store.artifacts.getBlob({ workspace_id: WS, sha256: orphan })).toMatchObject({ size_bytes: 10 });
    expect((await f.store.artifacts.getVersion({ workspace_id: WS, version_id: ref.version_id })).sha256).toBe(orphan);
    // A soft-deleted artifact's versions still reference their blobs.
    await f.store.artifacts.delete({ workspace_id: WS, artifact_id: ref.artifact_id });
    expect(await f.store.artifacts.deleteBlobIfUnreferenced({ workspace_id: WS, sha256: orphan })).toBe(false);
  });

  it('pages blob rows in (workspace, sha256) order and stamps verification', async () => {
    for (const label of ['a', 'b', 'c']) await f.record(label);
    await f.store.artifacts.recordVersion({ workspace_id: OTHER_WS, sha256: sha('z'), size_bytes: 5, name: 'z.txt', mime_type: 'text/plain', kind: 'text', source_kind: 'api' });
    const all = await f.store.artifacts.blobRows({ limit: 100 });
    expect(all.map((b) => [b.workspace_id, b.sha256])).toEqual([...[sha('a'), sha('b'), sha('c')].sort().map((s) => [WS, s]), [OTHER_WS, sha('z')]]);
    const first = await f.store.artifacts.blobRows({ limit: 2 });
    const rest = await f.store.artifacts.blobRows({ limit: 10, after: { workspace_id: first[1]!.workspace_id, sha256: first[1]!.sha256 } });
    expect([...first, ...rest]).toEqual(all);
    expect(await f.store.artifacts.blobRows({ workspace_id: OTHER_WS })).toHaveLength(1);
    expect(await f.store.artifacts.markBlobVerified({ workspace_id: WS, sha256: sha('a'), verified_at: LATER })).toBe(true);
    expect(await f.store.artifacts.getBlob({ workspace_id: WS, sha256: sha('a') })).toMatchObject({ verified_at: LATER });
    expect(await f.store.artifacts.markBlobVerified({ workspace_id: WS, sha256: sha('none') })).toBe(false);
  });
});

describe('store.artifacts: projections, rebuild and usage repair', () => {
  let f: ArtifactFixture;
  beforeEach(async () => {
    f = await openArtifactFixture();
  });
  afterEach(async () => f.cleanup());

  it('claims pending projections once per lease, records outcomes as journaled events, never touching the artifact', async () => {
    const text = await f.record('notes', { bindings: [{ binding_kind: 'agent_output', thread_id: THREAD }] });
    const json = await f.record('data', { kind: 'json', mime_type: 'application/json', name: 'data.json' });
    const claimed = await f.store.artifacts.claimPendingProjections({ limit: 10, owner: 'worker-a', now: T0, lease_ms: 60_000 });
    expect(claimed.map((c) => [c.version_id, c.kind])).toEqual([
      [text.version_id, 'plain_text'],
      [json.version_id, 'json_summary'],
      [json.version_id, 'plain_text'],
    ]);
    expect(claimed[0]).toMatchObject({ sha256: text.sha256, size_bytes: 100, mime_type: 'text/plain', artifact_kind: 'text', attempts: 1 });
    // Held: another worker gets nothing until the lease expires.
    expect(await f.store.artifacts.claimPendingProjections({ limit: 10, owner: 'worker-b', now: T0 })).toEqual([]);
    const retaken = await f.store.artifacts.claimPendingProjections({ limit: 1, owner: 'worker-b', now: DAY });
    expect(retaken).toMatchObject([{ version_id: text.version_id, kind: 'plain_text', attempts: 2 }]);
    // The old owner lost it.
    await expectCode(f.store.artifacts.recordProjection({ workspace_id: WS, version_id: text.version_id, kind: 'plain_text', status: 'ready', text: 'x', owner: 'worker-a' }), 'conflict');

    const ready = await f.store.artifacts.recordProjection({ workspace_id: WS, version_id: text.version_id, kind: 'plain_text', status: 'ready', text: 'héllo wörld', owner: 'worker-b' });
    expect(ready).toMatchObject({ status: 'ready', text: 'héllo wörld', artifact_id: text.artifact_id });
    await f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'json_summary', status: 'ready', summary: { type: 'object', keys: { a: 'number' } } });
    await f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'plain_text', status: 'failed', error: 'decoder exploded' });
    expect((await f.store.artifacts.getProjections({ workspace_id: WS, version_id: json.version_id })).map((p) => [p.kind, p.status, p.summary, p.error])).toEqual([
      ['json_summary', 'ready', { type: 'object', keys: { a: 'number' } }, null],
      ['plain_text', 'failed', null, 'decoder exploded'],
    ]);
    expect((await f.store.artifacts.get({ workspace_id: WS, artifact_id: json.artifact_id })).artifact.status).toBe('ready');
    expect(await f.store.artifacts.claimPendingProjections({ limit: 10, owner: 'w', now: LATER })).toEqual([]);
    const events = (await f.artifactEvents()).filter((e) => e.type === 'artifact.projection_updated');
    expect(events.map((e) => e.thread_id)).toEqual([THREAD, null, null]);

    await expectCode(f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'thumbnail', status: 'ready' }), 'invalid_params');
    await expectCode(f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'plain_text', status: 'failed' }), 'invalid_params');
    await expectCode(f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'thumbnail', status: 'ready', blob_sha256: sha('nope') }), 'not_found');
    await expectCode(f.store.artifacts.recordProjection({ workspace_id: WS, version_id: json.version_id, kind: 'plain_text', status: 'ready', text: 'x'.repeat(256 * 1024 + 1) }), 'payload_too_large');
    await expectCode(f.store.artifacts.recordProjection({ workspace_id: OTHER_WS, version_id: json.version_id, kind: 'plain_text', status: 'skipped' }), 'not_found');
  });

  it('rebuilds the artifact read models from the journal into exactly the rows they were', async () => {
    const a = await f.record('a', { artifact_id: 'art-a', bindings: [{ binding_kind: 'user_input', turn_id: TURN, message_id: 'm1' }] });
    await f.record('a2', { artifact_id: 'art-a' });
    await f.store.artifacts.bind({ workspace_id: WS, artifact_id: 'art-a', version_id: a.version_id, binding: { binding_kind: 'context_attachment', thread_id: 't2', pin_version: true } });
    const b = await f.record('b', { artifact_id: 'art-b', kind: 'image', mime_type: 'image/png', name: 'b.png' });
    await f.store.artifacts.recordProjection({ workspace_id: WS, version_id: b.version_id, kind: 'thumbnail', status: 'skipped' });
    await f.record('c', { artifact_id: 'art-c' });
    await f.store.artifacts.delete({ workspace_id: WS, artifact_id: 'art-c' });
    await f.record('d', { artifact_id: 'art-d' });
    await f.store.artifacts.delete({ workspace_id: WS, artifact_id: 'art-d' });
    await f.store.artifacts.restore({ workspace_id: WS, artifact_id: 'art-d' });

    const tables = ['artifact', 'artifact_version', 'artifact_binding', 'artifact_projection'];
    const order: Record<string, string> = { artifact: 'artifact_id', artifact_version: 'version_id', artifact_binding: 'binding_id', artifact_projection: 'version_id, kind' };
    // The claim columns are workers' bookkeeping, not journaled: a rebuild starts them over.
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          tables.map(async (t) => [t, await f.store.context.read((q) => q.all(`SELECT * FROM ${t} ORDER BY ${order[t]}`))] as const),
        ),
      );
    const before = await snapshot();
    const usage = await f.store.artifacts.usage({ workspace_id: WS });
    const report = await f.store.repair.rebuild();
    expect(report.violations).toEqual([]);
    expect(report.tables).toEqual(expect.arrayContaining(tables));
    expect(await snapshot()).toEqual(before);
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual(usage);
    expect(await f.store.artifacts.repairUsage()).toEqual({ detected: 0, repaired: 0, remaining: 0 });
    expect((await f.store.artifacts.listByMessage({ workspace_id: WS, message_id: 'm1' })).items.map((e) => e.artifact.version_count)).toEqual([2]);
  });

  it('repairs usage counters that drifted from their rows', async () => {
    await f.record('a');
    await f.record('b', { size_bytes: 50 });
    await f.store.context.write((ctx) => ctx.run('UPDATE artifact_usage SET bytes = 7, files = 9 WHERE workspace_id = ?', [WS]));
    expect(await f.store.artifacts.repairUsage()).toEqual({ detected: 1, repaired: 1, remaining: 0 });
    expect(await f.store.artifacts.usage({ workspace_id: WS })).toEqual({ workspace_id: WS, bytes: 150, files: 2 });
  });
});
