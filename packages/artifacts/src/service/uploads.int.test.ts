import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { openTempService, type TempService } from '../testing/temp-service.js';

const WS = 'ws_up';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('uploads: ingestUpload and pruneExpiredUploads', () => {
  let t: TempService;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'uploads' });
  });
  afterEach(async () => t.cleanup());

  const tempDir = (uploadId: string) => join(t.root, 'upload_sessions', WS, uploadId);
  async function session(uploadId: string, bytes: Buffer, expiresAt: Date) {
    return t.store.artifacts.createUploadSession({
      workspace_id: WS, upload_id: uploadId, token_id: 'tok_test', file_name: `${uploadId}.bin`, mime_type: 'application/octet-stream',
      size_bytes: bytes.byteLength, sha256: sha(bytes), source_kind: 'user_upload', chunk_size: 4, expires_at: expiresAt.toISOString(),
    });
  }
  async function writeTemp(uploadId: string, bytes: Buffer) {
    const temp = await t.blobs.uploads.open(WS, uploadId);
    for (let offset = 0; offset < bytes.byteLength; offset += 4) await temp.write(offset, bytes.subarray(offset, offset + 4));
    await temp.sync();
    await temp.close();
  }

  it('moves a finished upload temp into its content address and records the version', async () => {
    const bytes = Buffer.from('uploaded in chunks of four bytes');
    await session('up_1', bytes, new Date(Date.now() + 3_600_000));
    await writeTemp('up_1', bytes);
    const ref = await t.service.ingestUpload({ workspace_id: WS, upload_id: 'up_1', sha256: sha(bytes), size_bytes: bytes.byteLength, name: 'up_1.bin', source_kind: 'user_upload' });
    expect(ref).toMatchObject({ sha256: sha(bytes), size_bytes: bytes.byteLength });
    expect(existsSync(tempDir('up_1'))).toBe(false);
    const read = await t.service.read({ workspace_id: WS, artifact_id: ref.artifact_id }, { verify: true });
    expect((await buffer(read.stream)).equals(bytes)).toBe(true);
  });

  it('refuses an upload whose bytes do not match the declared size or digest, recording nothing', async () => {
    const bytes = Buffer.from('twelve bytes');
    await writeTemp('up_2', bytes);
    await expect(t.service.ingestUpload({ workspace_id: WS, upload_id: 'up_2', sha256: sha(bytes), size_bytes: 13, name: 'x.bin', source_kind: 'user_upload' })).rejects.toMatchObject({ code: 'checksum_mismatch' });
    await expect(t.service.ingestUpload({ workspace_id: WS, upload_id: 'up_2', sha256: sha(Buffer.from('other')), size_bytes: 12, name: 'x.bin', source_kind: 'user_upload' })).rejects.toMatchObject({ code: 'checksum_mismatch' });
    expect((await t.store.artifacts.list({ workspace_id: WS })).items).toEqual([]);
    expect(await t.blobs.stat(WS, sha(bytes))).toBeUndefined();
    // An upload with no temp at all is not_found, and none is created by asking.
    await expect(t.service.ingestUpload({ workspace_id: WS, upload_id: 'up_none', sha256: sha(bytes), size_bytes: 12, name: 'x.bin', source_kind: 'user_upload' })).rejects.toMatchObject({ code: 'not_found' });
    expect(existsSync(tempDir('up_none'))).toBe(false);
  });

  it('expires sessions past their expiry and removes their temps and temps no open session owns; an open one stays', async () => {
    const bytes = Buffer.from('abcd');
    await session('up_old', bytes, new Date(Date.now() + 1_000));
    await session('up_live', bytes, new Date(Date.now() + 3_600_000));
    await writeTemp('up_old', bytes);
    await writeTemp('up_live', bytes);
    await writeTemp('up_orphan', bytes);
    // The orphan's temp must be older than the read of open sessions (a session opening now keeps its fresh temp).
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(tempDir('up_orphan'), 'payload.bin'), old, old);
    const report = await t.service.pruneExpiredUploads({ now: new Date(Date.now() + 60_000) });
    expect(report).toEqual({ sessions_expired: 1, orphan_temps_removed: 1 });
    expect(existsSync(tempDir('up_old'))).toBe(false);
    expect(existsSync(tempDir('up_orphan'))).toBe(false);
    expect(existsSync(tempDir('up_live'))).toBe(true);
    expect((await t.store.artifacts.getUploadSession({ workspace_id: WS, upload_id: 'up_old' })).status).toBe('expired');
    expect((await t.store.artifacts.getUploadSession({ workspace_id: WS, upload_id: 'up_live' })).status).toBe('open');
  });
});
