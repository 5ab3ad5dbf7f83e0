import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { defaultServiceSettings, openTempService, type TempService } from '../testing/temp-service.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const WS = 'ws_a';
const OTHER = 'ws_b';
const blobPath = (t: TempService, ws: string, digest: string) => join(t.root, 'workspaces', ws, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);

describe('ArtifactService ingestion', () => {
  let t: TempService;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'a' });
    await t.store.workspaces.create({ workspace_id: OTHER, name: 'b' });
  });
  afterEach(async () => t.cleanup());

  it('ingests bytes, a stream and a path; reads them back verified; identical bytes are one blob', async () => {
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'a.txt', source_kind: 'api' }, Buffer.from('same bytes'));
    expect(a).toMatchObject({ workspace_id: WS, sha256: sha('same bytes'), size_bytes: 10, name: 'a.txt', mime_type: 'text/plain', kind: 'text' });
    const b = await t.service.ingestStream({ workspace_id: WS, name: 'b.txt', source_kind: 'api' }, Readable.from([Buffer.from('same '), Buffer.from('bytes')]));
    expect(b.sha256).toBe(a.sha256);
    expect(b.artifact_id).not.toBe(a.artifact_id);
    const root = join(t.dir, 'project');
    mkdirSync(join(root, 'docs'), { recursive: true });
    writeFileSync(join(root, 'docs', 'notes.md'), '# notes');
    const c = await t.service.ingestPath({ workspace_id: WS, root, path: 'docs/notes.md', source_kind: 'workspace_file' });
    expect(c).toMatchObject({ name: 'notes.md', mime_type: 'text/markdown', size_bytes: 7 });
    const read = await t.service.read({ workspace_id: WS, artifact_id: c.artifact_id }, { verify: true });
    expect((await buffer(read.stream)).toString()).toBe('# notes');
    expect((await t.store.artifacts.usage({ workspace_id: WS })).bytes).toBe(17);
  });

  it('a new version moves the current version; the old one stays readable by version id', async () => {
    const v1 = await t.service.ingestBytes({ workspace_id: WS, name: 'draft.txt', source_kind: 'api' }, Buffer.from('one'));
    const v2 = await t.service.ingestBytes({ workspace_id: WS, artifact_id: v1.artifact_id, name: 'draft.txt', source_kind: 'api' }, Buffer.from('two'));
    expect(v2.artifact_id).toBe(v1.artifact_id);
    expect(v2.version_id).not.toBe(v1.version_id);
    const current = await t.service.readText({ workspace_id: WS, artifact_id: v1.artifact_id });
    expect(current).toMatchObject({ version_id: v2.version_id, text: 'two', source: 'blob', truncated: false });
    const old = await t.service.readText({ workspace_id: WS, artifact_id: v1.artifact_id, version_id: v1.version_id });
    expect(old.text).toBe('one');
  });

  it('rejects traversal and symlinks out of the root, and bad names, writing nothing', async () => {
    const root = join(t.dir, 'project');
    mkdirSync(root);
    writeFileSync(join(t.dir, 'secret.txt'), 'secret');
    symlinkSync(join(t.dir, 'secret.txt'), join(root, 'link.txt'));
    symlinkSync(t.dir, join(root, 'up'));
    for (const path of ['../secret.txt', join(t.dir, 'secret.txt'), 'link.txt', 'up/secret.txt']) {
      await expect(t.service.ingestPath({ workspace_id: WS, root, path, source_kind: 'workspace_file' })).rejects.toMatchObject({ code: 'invalid_params' });
    }
    await expect(t.service.ingestBytes({ workspace_id: WS, name: '../x', source_kind: 'api' }, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_params', details: { reason: 'invalid_name' } });
    await expect(t.service.ingestBytes({ workspace_id: '../ws', name: 'x', source_kind: 'api' }, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_params' });
    expect((await t.store.artifacts.list({ workspace_id: WS })).items).toEqual([]);
    const files = [];
    for await (const f of t.blobs.list()) files.push(f);
    expect(files).toEqual([]);
  });

  it('keeps workspaces apart: an artifact of one is not found through another', async () => {
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'mine.txt', source_kind: 'api' }, Buffer.from('mine'));
    await expect(t.service.read({ workspace_id: OTHER, artifact_id: a.artifact_id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.service.readText({ workspace_id: OTHER, artifact_id: a.artifact_id })).rejects.toMatchObject({ code: 'not_found' });
    await expect(t.service.ingestBytes({ workspace_id: OTHER, artifact_id: a.artifact_id, name: 'mine.txt', source_kind: 'api' }, Buffer.from('theirs'))).rejects.toMatchObject({ code: 'conflict' });
    expect(await t.blobs.verify(OTHER, a.sha256)).toBe('missing');
  });

  it('detects a corrupted blob: a verified read fails, verifyBlobs names it, and re-ingesting the bytes replaces it', async () => {
    const bytes = Buffer.from('important content '.repeat(100));
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'doc.txt', source_kind: 'api' }, bytes);
    writeFileSync(blobPath(t, WS, a.sha256), Buffer.from('important c0ntent '.repeat(100)));
    const read = await t.service.read({ workspace_id: WS, artifact_id: a.artifact_id }, { verify: true });
    await expect(buffer(read.stream)).rejects.toMatchObject({ code: 'integrity_failed' });
    const progress: number[] = [];
    const report = await t.service.verifyBlobs({ onProgress: (p) => progress.push(p.checked) });
    expect(report).toMatchObject({ checked: 1, ok: 0, missing: [], corrupt: [{ workspace_id: WS, sha256: a.sha256, size_bytes: bytes.byteLength }] });
    expect(progress).toEqual([0, 1]);
    await t.service.ingestBytes({ workspace_id: WS, name: 'again.txt', source_kind: 'api' }, bytes);
    expect((await t.service.verifyBlobs()).corrupt).toEqual([]);
    expect((await buffer((await t.service.read({ workspace_id: WS, artifact_id: a.artifact_id }, { verify: true })).stream)).equals(bytes)).toBe(true);
  });

  it('verifyBlobs reports a blob whose file is gone as missing', async () => {
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'gone.txt', source_kind: 'api' }, Buffer.from('gone'));
    await t.blobs.delete(WS, a.sha256);
    expect((await t.service.verifyBlobs()).missing).toEqual([{ workspace_id: WS, sha256: a.sha256, size_bytes: 4 }]);
  });
});

describe('ArtifactService quotas', () => {
  let t: TempService;
  afterEach(async () => t.cleanup());

  it('refuses an artifact over max_artifact_bytes (stream and declared size), storing nothing', async () => {
    t = await openTempService({ settings: defaultServiceSettings({ quotas: { max_artifact_bytes: 1000 } }) });
    await t.store.workspaces.create({ workspace_id: WS, name: 'a' });
    await expect(t.service.ingestStream({ workspace_id: WS, name: 'big.bin', source_kind: 'api' }, Readable.from([Buffer.alloc(600), Buffer.alloc(600)]))).rejects.toMatchObject({
      code: 'quota_exceeded',
      details: { quota: 'max_artifact_bytes', limit: 1000 },
    });
    await expect(t.service.ingestBytes({ workspace_id: WS, name: 'big.bin', source_kind: 'api' }, Buffer.alloc(1001))).rejects.toMatchObject({ code: 'quota_exceeded' });
    const files = [];
    for await (const f of t.blobs.list()) files.push(f);
    expect(files).toEqual([]);
    expect(await t.store.artifacts.usage({ workspace_id: WS })).toMatchObject({ bytes: 0, files: 0 });
  });

  it('refuses past the workspace bytes and files quotas; refused bytes never stay on disk', async () => {
    t = await openTempService({ settings: defaultServiceSettings({ quotas: { workspace_artifact_bytes: 100, workspace_artifact_files: 2 } }) });
    await t.store.workspaces.create({ workspace_id: WS, name: 'a' });
    await t.service.ingestBytes({ workspace_id: WS, name: 'a.bin', source_kind: 'api' }, Buffer.alloc(60, 1));
    // A stream has no declared size: the store's check in the commit transaction refuses it, and the blob it wrote is removed.
    await expect(t.service.ingestStream({ workspace_id: WS, name: 'b.bin', source_kind: 'api' }, Readable.from([Buffer.alloc(60, 2)]))).rejects.toMatchObject({
      code: 'quota_exceeded',
      details: { quota: 'workspace_artifact_bytes' },
    });
    expect(await t.blobs.stat(WS, sha(Buffer.alloc(60, 2)))).toBeUndefined();
    await t.service.ingestBytes({ workspace_id: WS, name: 'c.bin', source_kind: 'api' }, Buffer.alloc(10, 3));
    await expect(t.service.ingestBytes({ workspace_id: WS, name: 'd.bin', source_kind: 'api' }, Buffer.alloc(1, 4))).rejects.toMatchObject({
      code: 'quota_exceeded',
      details: { quota: 'workspace_artifact_files' },
    });
    expect(await t.store.artifacts.usage({ workspace_id: WS })).toMatchObject({ bytes: 70, files: 2 });
  });

  it('does not count bytes the workspace already stores: identical bytes pass a full bytes quota', async () => {
    t = await openTempService({ settings: defaultServiceSettings({ quotas: { workspace_artifact_bytes: 100 } }) });
    await t.store.workspaces.create({ workspace_id: WS, name: 'a' });
    await t.service.ingestBytes({ workspace_id: WS, name: 'a.bin', source_kind: 'api' }, Buffer.alloc(90, 7));
    const again = await t.service.ingestBytes({ workspace_id: WS, name: 'copy.bin', source_kind: 'api' }, Buffer.alloc(90, 7));
    expect(again.size_bytes).toBe(90);
    expect(await t.store.artifacts.usage({ workspace_id: WS })).toMatchObject({ bytes: 90, files: 2 });
  });
});

describe('ArtifactService GC', () => {
  let t: TempService;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'a' });
  });
  afterEach(async () => t.cleanup());
  const later = () => new Date(Date.now() + 48 * 3_600_000);

  it('never deletes a referenced blob, also a deleted artifact\'s (restorable) or an old version\'s', async () => {
    const v1 = await t.service.ingestBytes({ workspace_id: WS, name: 'keep.txt', source_kind: 'api' }, Buffer.from('v1'));
    await t.service.ingestBytes({ workspace_id: WS, artifact_id: v1.artifact_id, name: 'keep.txt', source_kind: 'api' }, Buffer.from('v2'));
    const gone = await t.service.ingestBytes({ workspace_id: WS, name: 'deleted.txt', source_kind: 'api' }, Buffer.from('deleted'));
    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: gone.artifact_id });
    const plan = await t.service.gcPlan({ now: later() });
    expect(plan.orphan_blobs).toEqual([]);
    const report = await t.service.gcExecute(plan, { now: later() });
    expect(report.blobs_deleted).toBe(0);
    for (const digest of [sha('v1'), sha('v2'), sha('deleted')]) expect(await t.blobs.verify(WS, digest)).toBe('ok');
  });

  it('keeps a planned orphan that became referenced before execution', async () => {
    // Bytes on disk without a row (as a crash after the rename leaves them), planned for removal...
    const put = await t.blobs.put(WS, Buffer.from('late'));
    const plan = await t.service.gcPlan({ now: later() });
    expect(plan.orphan_blobs.map((o) => o.sha256)).toEqual([put.sha256]);
    // ...then an ingest of the same bytes references them before the plan runs.
    await t.service.ingestBytes({ workspace_id: WS, name: 'late.txt', source_kind: 'api' }, Buffer.from('late'));
    const report = await t.service.gcExecute(plan, { now: later() });
    expect(report).toMatchObject({ blobs_deleted: 0, blobs_kept: 1 });
    expect(await t.blobs.verify(WS, put.sha256)).toBe('ok');
  });

  it('plans and prunes expired provider external refs, keeping live ones', async () => {
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'doc.txt', source_kind: 'api' }, Buffer.from('doc'));
    const key = { workspace_id: WS, artifact_id: a.artifact_id, provider: 'openai', transport_kind: 'file_id' as const };
    await t.store.artifacts.putExternalRef({ ...key, external_id: 'file-old', expires_at: new Date(Date.now() + 3_600_000).toISOString() });
    await t.store.artifacts.putExternalRef({ ...key, provider: 'anthropic', external_id: 'file-live', expires_at: new Date(Date.now() + 72 * 3_600_000).toISOString() });
    const plan = await t.service.gcPlan({ now: later() });
    expect(plan.expired_external_refs).toBe(1);
    expect(await t.service.gcExecute(plan, { now: later() })).toMatchObject({ external_refs_pruned: 1 });
    expect(await t.store.artifacts.getExternalRef({ ...key, provider: 'anthropic', now: later().toISOString() })).toMatchObject({ external_id: 'file-live' });
    expect(await t.store.artifacts.getExternalRef({ ...key, now: new Date().toISOString() })).toBeNull();
  });

  it('leaves young orphans alone and removes old ones', async () => {
    await t.blobs.put(WS, Buffer.from('orphan'));
    expect((await t.service.gcPlan({ now: new Date() })).orphan_blobs).toEqual([]);
    const plan = await t.service.gcPlan({ now: later() });
    expect(plan).toMatchObject({ bytes_reclaimable: 6, orphan_blobs: [{ workspace_id: WS, sha256: sha('orphan'), reason: 'file_without_row' }] });
    expect(await t.service.gcExecute(plan, { now: later() })).toMatchObject({ blobs_deleted: 1, bytes_deleted: 6 });
    expect(await t.blobs.verify(WS, sha('orphan'))).toBe('missing');
  });
});
