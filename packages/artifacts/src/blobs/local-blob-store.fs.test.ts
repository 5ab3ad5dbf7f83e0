import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { tempDir } from '../testing/temp-dir.js';
import { LocalArtifactBlobStore } from './local-blob-store.js';

const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
let dir: ReturnType<typeof tempDir>;
let blobs: LocalArtifactBlobStore;

beforeEach(() => {
  dir = tempDir();
  blobs = new LocalArtifactBlobStore({ root: join(dir.path, 'artifacts') });
});
afterEach(() => dir.remove());

const blobPath = (ws: string, digest: string) => join(dir.path, 'artifacts', 'workspaces', ws, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);

describe('LocalArtifactBlobStore.put', () => {
  it('stores bytes at their content address, 0600, and nothing else stays behind', async () => {
    const put = await blobs.put('ws_1', Buffer.from('hello'));
    expect(put).toEqual({ sha256: sha('hello'), size_bytes: 5, created: true, replaced_corrupt: false });
    const path = blobPath('ws_1', put.sha256);
    expect(readFileSync(path, 'utf8')).toBe('hello');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(dir.path, 'artifacts', 'workspaces', 'ws_1', 'blobs', 'tmp'))).toEqual([]);
  });

  it('hashes a stream while writing it, chunk by chunk', async () => {
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
    const put = await blobs.put('ws_1', Readable.from(chunks));
    expect(put.sha256).toBe(sha(Buffer.concat(chunks)));
    expect(put.size_bytes).toBe(500_000);
  });

  it('stores identical bytes once per workspace, and separately in another workspace', async () => {
    const a = await blobs.put('ws_1', Buffer.from('same'));
    const b = await blobs.put('ws_1', Readable.from([Buffer.from('sa'), Buffer.from('me')]));
    expect([a.created, b.created]).toEqual([true, false]);
    const c = await blobs.put('ws_2', Buffer.from('same'));
    expect(c.created).toBe(true);
    expect(existsSync(blobPath('ws_2', c.sha256))).toBe(true);
  });

  it('re-verifies an existing blob before reuse and replaces a corrupt one', async () => {
    const a = await blobs.put('ws_1', Buffer.from('precious bytes'));
    writeFileSync(blobPath('ws_1', a.sha256), 'precious bytez');
    expect(await blobs.verify('ws_1', a.sha256)).toBe('corrupt');
    const again = await blobs.put('ws_1', Buffer.from('precious bytes'));
    expect(again).toMatchObject({ created: true, replaced_corrupt: true });
    expect(readFileSync(blobPath('ws_1', a.sha256), 'utf8')).toBe('precious bytes');
    expect(await blobs.verify('ws_1', a.sha256)).toBe('ok');
  });

  it('refuses bytes past max_bytes and a wrong expected digest, storing nothing', async () => {
    await expect(blobs.put('ws_1', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]), { max_bytes: 1000 })).rejects.toMatchObject({ code: 'payload_too_large' });
    await expect(blobs.put('ws_1', Buffer.from('x'), { expected_sha256: sha('y') })).rejects.toMatchObject({ code: 'checksum_mismatch' });
    const all = [];
    for await (const entry of blobs.list()) all.push(entry);
    expect(all).toEqual([]);
    expect(readdirSync(join(dir.path, 'artifacts', 'workspaces', 'ws_1', 'blobs', 'tmp'))).toEqual([]);
  });

  it('moves a finished file with putFile (no copy: the source name is gone)', async () => {
    const file = join(dir.path, 'artifacts', 'made.bin');
    await blobs.put('ws_1', Buffer.from('seed'));
    writeFileSync(file, 'moved bytes');
    const put = await blobs.putFile('ws_1', file);
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(blobPath('ws_1', put.sha256), 'utf8')).toBe('moved bytes');
  });
});

describe('LocalArtifactBlobStore ids', () => {
  it.each([['../ws'], ['ws/x'], [''], ['.hidden'], ['a'.repeat(129)], ['ws\0']])('refuses workspace id %j as invalid_params, never a path', async (ws) => {
    await expect(blobs.put(ws, Buffer.from('x'))).rejects.toMatchObject({ code: 'invalid_params', details: { reason: 'invalid_id' } });
    await expect(blobs.stat(ws, sha('x'))).rejects.toMatchObject({ code: 'invalid_params' });
    expect(existsSync(join(dir.path, 'artifacts', 'workspaces'))).toBe(false);
  });

  it.each([['../../etc/passwd'], [sha('x').toUpperCase()], [sha('x').slice(1)], ['']])('refuses digest %j', async (digest) => {
    await expect(blobs.open('ws_1', digest)).rejects.toMatchObject({ code: 'invalid_params', details: { reason: 'invalid_sha256' } });
    await expect(blobs.verify('ws_1', digest)).rejects.toMatchObject({ code: 'invalid_params' });
    await expect(blobs.delete('ws_1', digest)).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('does not find a blob of one workspace through another', async () => {
    const put = await blobs.put('ws_1', Buffer.from('mine'));
    await expect(blobs.open('ws_2', put.sha256)).rejects.toMatchObject({ code: 'not_found' });
    expect(await blobs.verify('ws_2', put.sha256)).toBe('missing');
  });
});

describe('LocalArtifactBlobStore reads', () => {
  it('reads whole blobs and inclusive ranges', async () => {
    const put = await blobs.put('ws_1', Buffer.from('0123456789'));
    expect(await text(await blobs.open('ws_1', put.sha256))).toBe('0123456789');
    expect(await text(await blobs.open('ws_1', put.sha256, { start: 2, end: 5 }))).toBe('2345');
    expect(await text(await blobs.open('ws_1', put.sha256, { start: 7 }))).toBe('789');
    await expect(blobs.open('ws_1', put.sha256, { start: 5, end: 10 })).rejects.toMatchObject({ code: 'invalid_params', details: { reason: 'invalid_range' } });
  });

  it('a verifying read of a corrupt blob fails with integrity_failed instead of ending', async () => {
    const put = await blobs.put('ws_1', Buffer.from('original'));
    writeFileSync(blobPath('ws_1', put.sha256), 'tampered');
    await expect(text(await blobs.open('ws_1', put.sha256, { verify: true }))).rejects.toMatchObject({ code: 'integrity_failed' });
    await expect(blobs.open('ws_1', put.sha256, { verify: true, start: 1, end: 2 })).rejects.toMatchObject({ code: 'integrity_failed' });
    expect(await text(await blobs.open('ws_1', put.sha256))).toBe('tampered');
  });

  it('reads an empty blob', async () => {
    const put = await blobs.put('ws_1', new Uint8Array(0));
    expect(await text(await blobs.open('ws_1', put.sha256, { verify: true }))).toBe('');
  });

  it('lists, stats and deletes', async () => {
    const a = await blobs.put('ws_1', Buffer.from('a'));
    const b = await blobs.put('ws_2', Buffer.from('bb'));
    const all = [];
    for await (const entry of blobs.list()) all.push([entry.workspace_id, entry.sha256, entry.size_bytes]);
    expect(all).toEqual([['ws_1', a.sha256, 1], ['ws_2', b.sha256, 2]]);
    expect(await blobs.stat('ws_2', b.sha256)).toMatchObject({ size_bytes: 2 });
    expect(await blobs.delete('ws_2', b.sha256)).toBe(true);
    expect(await blobs.delete('ws_2', b.sha256)).toBe(false);
    expect(await blobs.stat('ws_2', b.sha256)).toBeUndefined();
    expect(await blobs.verify('ws_2', b.sha256)).toBe('missing');
  });
});

describe('upload temps', () => {
  it('writes at offsets, truncates, and commits by rename into the content address', async () => {
    const temp = await blobs.uploads.open('ws_1', 'up_1');
    await temp.write(0, Buffer.from('hello '));
    await temp.write(6, Buffer.from('wXrld'));
    await temp.truncate(7);
    await temp.write(7, Buffer.from('orld'));
    await temp.sync();
    expect(await temp.size()).toBe(11);
    await temp.close();
    const payload = join(dir.path, 'artifacts', 'upload_sessions', 'ws_1', 'up_1', 'payload.bin');
    expect(readFileSync(payload, 'utf8')).toBe('hello world');
    const listed = [];
    for await (const u of blobs.uploads.list()) listed.push([u.workspace_id, u.upload_id, u.size_bytes]);
    expect(listed).toEqual([['ws_1', 'up_1', 11]]);
    await expect(blobs.commitUpload('ws_1', 'up_1', sha('hello wurld'))).rejects.toMatchObject({ code: 'checksum_mismatch' });
    // A refused commit keeps nothing at any address; the upload can be retried only by re-sending.
    const temp2 = await blobs.uploads.open('ws_1', 'up_2');
    await temp2.write(0, Buffer.from('hello world'));
    await temp2.close();
    const put = await blobs.commitUpload('ws_1', 'up_2', sha('hello world'));
    expect(put).toMatchObject({ sha256: sha('hello world'), size_bytes: 11, created: true });
    expect(existsSync(join(dir.path, 'artifacts', 'upload_sessions', 'ws_1', 'up_2'))).toBe(false);
    expect(readFileSync(blobPath('ws_1', put.sha256), 'utf8')).toBe('hello world');
  });

  it('refuses upload ids that are not ids, and removes an upload', async () => {
    await expect(blobs.uploads.open('ws_1', '../x')).rejects.toMatchObject({ code: 'invalid_params' });
    await (await blobs.uploads.open('ws_1', 'up_9')).close();
    expect(await blobs.uploads.remove('ws_1', 'up_9')).toBe(true);
    expect(await blobs.uploads.remove('ws_1', 'up_9')).toBe(false);
  });
});
