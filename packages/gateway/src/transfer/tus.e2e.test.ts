import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { deterministicBytes, sha256Hex, startTestGateway, type TestGateway } from '@cairn/gateway/testing';

let root: string;
let gateway: TestGateway;
let workspaceId: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-tus-'));
  gateway = await startTestGateway(join(root, 'home'), { settings: { quotas: { max_artifact_bytes: 64 * 1024 * 1024 } } });
  workspaceId = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

const endpoint = () => `${gateway.url}/uploads`;
const auth = (token = gateway.operatorToken) => ({ Authorization: `Bearer ${token}` });
const b64 = (text: string) => Buffer.from(text).toString('base64');
const metadataHeader = (m: Record<string, string>) =>
  Object.entries(m)
    .map(([k, v]) => `${k} ${b64(v)}`)
    .join(',');

function tusUpload(bytes: Buffer, options: Partial<tus.UploadOptions> & { token?: string; metadata?: Record<string, string> }) {
  let job!: tus.Upload;
  const done = new Promise<tus.Upload>((resolve, reject) => {
    const { token, metadata, ...rest } = options;
    job = new tus.Upload(bytes, {
      endpoint: endpoint(),
      headers: auth(token),
      retryDelays: [],
      ...rest,
      metadata: { workspace_id: workspaceId, filename: 'tus.bin', filetype: 'application/octet-stream', sha256: sha256Hex(bytes), ...metadata },
      onError: (error) => reject(error),
      onSuccess: () => resolve(job),
    });
    job.start();
  });
  return { job: () => job, done };
}

async function artifactNamed(name: string) {
  return (await gateway.runtime.store.artifacts.list({ workspace_id: workspaceId })).items.find((a) => a.name === name);
}

describe('tus 1.0 at /uploads with tus-js-client', () => {
  it('uploads a file; it lands in the ArtifactService as an artifact with the declared SHA-256', async () => {
    const bytes = deterministicBytes(1, 0, 3 * 1024 * 1024 + 5);
    const { done } = tusUpload(bytes, { metadata: { filename: 'whole.bin' }, chunkSize: 1024 * 1024 });
    await done;
    const artifact = await artifactNamed('whole.bin');
    expect(artifact).toBeDefined();
    const { version } = await gateway.runtime.store.artifacts.get({ workspace_id: workspaceId, artifact_id: artifact!.artifact_id });
    expect(version).toMatchObject({ sha256: sha256Hex(bytes), size_bytes: bytes.length });
  });

  it('resumes after the client is stopped mid-file: the new client continues from the offset the server kept', async () => {
    const bytes = deterministicBytes(2, 0, 24 * 1024 * 1024);
    let stopped = false;
    const first = tusUpload(bytes, {
      metadata: { filename: 'resumed.bin' },
      chunkSize: 4 * 1024 * 1024,
      onProgress: (sent) => {
        if (!stopped && sent >= 9 * 1024 * 1024) {
          stopped = true;
          void first.job().abort(false);
        }
      },
    });
    await Promise.race([
      first.done.then(() => {
        throw new Error('the first upload finished before it was stopped');
      }),
      new Promise<void>((resolve, reject) => {
        const deadline = Date.now() + 20_000;
        const poll = setInterval(() => {
          if (stopped || Date.now() > deadline) {
            clearInterval(poll);
            if (stopped) resolve();
            else reject(new Error('never stopped'));
          }
        }, 5);
      }),
    ]);
    const url = first.job().url;
    expect(url).toBeTruthy();
    const uploadId = url!.split('/').pop()!;
    // The server keeps what was durable when the client stopped.
    let kept = 0;
    for (let i = 0; i < 100 && kept === 0; i++) {
      const head = await fetch(url!, { method: 'HEAD', headers: { ...auth(), 'Tus-Resumable': '1.0.0' } });
      kept = Number(head.headers.get('upload-offset'));
      if (kept === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(bytes.length);
    let firstOffset: number | undefined;
    const second = tusUpload(bytes, {
      uploadUrl: url!,
      chunkSize: 4 * 1024 * 1024,
      onProgress: (sent) => {
        firstOffset ??= sent;
      },
    });
    await second.done;
    expect(firstOffset).toBeGreaterThanOrEqual(kept);
    const artifact = await artifactNamed('resumed.bin');
    const { version } = await gateway.runtime.store.artifacts.get({ workspace_id: workspaceId, artifact_id: artifact!.artifact_id });
    expect(version).toMatchObject({ sha256: sha256Hex(bytes), size_bytes: bytes.length });
    expect((await gateway.services.transfer.uploads.status((await principal()), workspaceId, uploadId)).state).toBe('finished');
  });

  it('refuses without a token (401), for another workspace (403), without sha256 (400), over max_artifact_bytes (413)', async () => {
    const base = { 'Tus-Resumable': '1.0.0', 'Upload-Length': '10' };
    const meta = { workspace_id: workspaceId, filename: 'x.bin', sha256: sha256Hex(Buffer.alloc(10)) };
    expect((await fetch(endpoint(), { method: 'POST', headers: { ...base, 'Upload-Metadata': metadataHeader(meta) } })).status).toBe(401);
    await gateway.runtime.store.workspaces.create({ workspace_id: 'ws-tus-other', name: 'other' });
    const scoped = await gateway.scopedToken(['ws-tus-other']);
    expect((await fetch(endpoint(), { method: 'POST', headers: { ...base, ...auth(scoped), 'Upload-Metadata': metadataHeader(meta) } })).status).toBe(403);
    const { sha256: _sha, ...noSha } = meta;
    expect((await fetch(endpoint(), { method: 'POST', headers: { ...base, ...auth(), 'Upload-Metadata': metadataHeader(noSha) } })).status).toBe(400);
    const big = await fetch(endpoint(), { method: 'POST', headers: { ...base, ...auth(), 'Upload-Length': String(65 * 1024 * 1024), 'Upload-Metadata': metadataHeader(meta) } });
    expect(big.status).toBe(413);
  });

  it('checksum extension: a PATCH whose Upload-Checksum does not match is 460 and keeps nothing; termination removes the upload', async () => {
    const bytes = deterministicBytes(3, 0, 1000);
    const meta = { workspace_id: workspaceId, filename: 'checked.bin', sha256: sha256Hex(bytes) };
    const options = await fetch(endpoint(), { method: 'OPTIONS', headers: { 'Tus-Resumable': '1.0.0' } });
    expect(options.headers.get('tus-extension')).toContain('checksum');
    expect(options.headers.get('tus-extension')).toContain('termination');
    expect(options.headers.get('tus-checksum-algorithm')).toBe('sha256');
    const created = await fetch(endpoint(), { method: 'POST', headers: { 'Tus-Resumable': '1.0.0', 'Upload-Length': '1000', 'Upload-Metadata': metadataHeader(meta), ...auth() } });
    expect(created.status).toBe(201);
    const url = new URL(created.headers.get('location')!, gateway.url).toString();
    const patch = (checksum: string, body: Buffer) =>
      fetch(url, {
        method: 'PATCH',
        headers: { 'Tus-Resumable': '1.0.0', 'Upload-Offset': '0', 'Content-Type': 'application/offset+octet-stream', 'Upload-Checksum': `sha256 ${checksum}`, ...auth() },
        body,
      });
    const bad = await patch(createHash('sha256').update('other').digest('base64'), bytes.subarray(0, 500));
    expect(bad.status).toBe(460);
    const head = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...auth() } });
    expect(head.headers.get('upload-offset')).toBe('0');
    const good = await patch(createHash('sha256').update(bytes.subarray(0, 500)).digest('base64'), bytes.subarray(0, 500));
    expect(good.status).toBe(204);
    expect(good.headers.get('upload-offset')).toBe('500');
    const other = await gateway.scopedToken([workspaceId]);
    expect((await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...auth(other) } })).status).toBe(404);
    const deleted = await fetch(url, { method: 'DELETE', headers: { 'Tus-Resumable': '1.0.0', ...auth() } });
    expect(deleted.status).toBe(204);
    expect((await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0', ...auth() } })).status).toBe(404);
    expect(await artifactNamed('checked.bin')).toBeUndefined();
  });

  it('a wrong whole-file SHA-256: the last PATCH is refused (460) and no artifact appears', async () => {
    const bytes = deterministicBytes(4, 0, 2048);
    const { done } = tusUpload(bytes, { metadata: { filename: 'wrong.bin', sha256: sha256Hex(Buffer.from('not it')) } });
    await expect(done).rejects.toThrow(/460/);
    expect(await artifactNamed('wrong.bin')).toBeUndefined();
  });
});

async function principal() {
  const token = await gateway.services.tokens.authenticate(gateway.operatorToken);
  return { token: token!, operator: true, workspaces: new Set<string>() };
}
