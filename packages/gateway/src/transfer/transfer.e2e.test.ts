import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import { LIMITS, encodeFrame } from '@cairn/protocol';
import { createCairnClient, download, upload, type CairnClient } from '@cairn/client';
import { RpcSocket, deterministicBytes, sha256Hex, startTestGateway, uploadFrame, writeDeterministicFile, type TestGateway } from '@cairn/gateway/testing';

const CHUNK = LIMITS.transfer.chunkRecommendedBytes;
const QUOTA_BYTES = 1024 * 1024 * 1024;
let root: string;
let gateway: TestGateway;
let workspaceId: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-transfer-'));
  gateway = await startTestGateway(join(root, 'home'), {
    settings: { agent: { builtin_delta_interval_ms: 0 }, quotas: { max_artifact_bytes: 120 * 1024 * 1024, workspace_artifact_bytes: QUOTA_BYTES } },
  });
  workspaceId = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

/** A Writable that keeps what it is given (small files only). */
function collector(): { sink: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return {
    sink: new Writable({
      write(chunk: Buffer, _enc, done) {
        parts.push(chunk);
        done();
      },
    }),
    bytes: () => Buffer.concat(parts),
  };
}

async function withClient<T>(work: (client: CairnClient) => Promise<T>, token = gateway.operatorToken): Promise<T> {
  const client = createCairnClient({ url: gateway.rpcUrl, token });
  try {
    await client.ready();
    return await work(client);
  } finally {
    await client.close();
  }
}

async function fileSha(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}

const artifactCount = async () => (await gateway.runtime.store.artifacts.list({ workspace_id: workspaceId })).items.length;

async function startRaw(socket: RpcSocket, bytes: Uint8Array, extra: Record<string, unknown> = {}) {
  const { upload: session } = await socket.call<{ upload: { upload_id: string; next_offset: number; chunk_size: number; window_chunks: number } }>('artifact/upload/start', {
    workspace_id: workspaceId,
    file_name: 'raw.bin',
    mime_type: 'application/octet-stream',
    size_bytes: bytes.length,
    sha256: sha256Hex(bytes),
    ...extra,
  });
  return session;
}

/** The first chunk_ack for the upload at `offset` on this socket, among the notifications from index `after` on. */
function ackFor(socket: RpcSocket, uploadId: string, offset: number, after = 0) {
  return socket.waitFor(() =>
    socket.notifications.slice(after).find((n) => n.method === 'artifact/upload/chunk_ack' && (n.params as { upload_id: string; offset: number }).upload_id === uploadId && (n.params as { offset: number }).offset === offset),
  ) as unknown as Promise<{ params: { next_offset: number; received_bytes: number; error?: { code: string; details?: { reason?: string } } } }>;
}

describe('round trips over the socket', () => {
  it.each([
    ['0 bytes', 0],
    ['1 byte', 1],
    ['exactly one chunk', CHUNK],
    ['one chunk plus one byte', CHUNK + 1],
  ])('%s: the downloaded bytes are the uploaded bytes', async (_label, size) => {
    const bytes = deterministicBytes(size + 7, 0, size);
    await withClient(async (client) => {
      const progress: number[] = [];
      const result = await upload(bytes, { client, workspace_id: workspaceId, file_name: `f-${size}.bin` }, (p) => progress.push(p.transferred_bytes));
      expect(result.artifact).toMatchObject({ size_bytes: size, sha256: sha256Hex(bytes), workspace_id: workspaceId });
      expect(progress.at(-1)).toBe(size);
      const out = collector();
      const got = await download({ workspace_id: workspaceId, artifact_id: result.artifact.artifact_id }, out.sink, { client });
      expect(got).toMatchObject({ bytes_written: size, verified_whole_file: true });
      expect(out.bytes().equals(bytes)).toBe(true);
    });
  });

  it('100 MB from a file to a file, never held in memory whole', async () => {
    const size = 100 * 1024 * 1024;
    const source = join(root, 'big.bin');
    const sha = await writeDeterministicFile(source, 42, size);
    await withClient(async (client) => {
      const result = await upload(source, { client, workspace_id: workspaceId });
      expect(result.artifact).toMatchObject({ size_bytes: size, sha256: sha, name: 'big.bin' });
      const target = join(root, 'big.out');
      const got = await download({ workspace_id: workspaceId, artifact_id: result.artifact.artifact_id }, target, { client });
      expect(got.verified_whole_file).toBe(true);
      expect(await fileSha(target)).toBe(sha);
      await gateway.runtime.store.artifacts.delete({ workspace_id: workspaceId, artifact_id: result.artifact.artifact_id });
    });
    rmSync(source);
    rmSync(join(root, 'big.out'));
  }, 120_000);

  it('a range download returns exactly the range', async () => {
    const bytes = deterministicBytes(5, 0, 3 * CHUNK + 123);
    await withClient(async (client) => {
      const { artifact } = await upload(bytes, { client, workspace_id: workspaceId, file_name: 'range.bin' });
      for (const [offset, length] of [
        [1000, 300_000],
        [CHUNK, CHUNK],
        [bytes.length - 1, 1],
        [bytes.length, 0],
      ] as const) {
        const out = collector();
        const got = await download({ workspace_id: workspaceId, artifact_id: artifact.artifact_id, range: { offset, length } }, out.sink, { client });
        expect({ offset, length, written: got.bytes_written, equal: out.bytes().equals(bytes.subarray(offset, offset + length)) }).toEqual({ offset, length, written: length, equal: true });
      }
      // Past the end: refused, not truncated.
      await expect(download({ workspace_id: workspaceId, artifact_id: artifact.artifact_id, range: { offset: 10, length: bytes.length } }, collector().sink, { client })).rejects.toMatchObject({
        code: 'invalid_params',
      });
    });
  });

  it('uploading bytes the workspace already holds stores no second blob', async () => {
    const bytes = deterministicBytes(99, 0, CHUNK + 5);
    const blobs = async () => {
      let n = 0;
      for await (const blob of gateway.services.artifacts.blobs.list(workspaceId)) if (blob.sha256 === sha256Hex(bytes)) n++;
      return n;
    };
    await withClient(async (client) => {
      const first = await upload(bytes, { client, workspace_id: workspaceId, file_name: 'twice-a.bin' });
      const second = await upload(bytes, { client, workspace_id: workspaceId, file_name: 'twice-b.bin' });
      expect(second.artifact.artifact_id).not.toBe(first.artifact.artifact_id);
      expect(second.artifact.sha256).toBe(first.artifact.sha256);
    });
    expect(await blobs()).toBe(1);
  });
});

describe('bad input: its own error each, and nothing visible', () => {
  it('wrong chunk hash, wrong offset, overflow past the declared size, a chunk over the maximum: refused, the session unchanged', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const bytes = deterministicBytes(1, 0, 2 * CHUNK);
    const session = await startRaw(socket, bytes);
    const id = session.upload_id;
    const first = bytes.subarray(0, CHUNK);

    socket.send(uploadFrame(id, 0, first, sha256Hex(Buffer.from('not these bytes'))));
    expect((await ackFor(socket, id, 0)).params.error).toMatchObject({ code: 'checksum_mismatch', details: { reason: 'chunk' } });

    socket.send(uploadFrame(id, 17, first));
    expect((await ackFor(socket, id, 17)).params.error).toMatchObject({ code: 'conflict', details: { reason: 'offset_mismatch', next_offset: 0 } });

    socket.send(uploadFrame(id, 0, deterministicBytes(3, 0, 2 * CHUNK + 1)));
    await socket.waitFor(() =>
      socket.notifications.some((n) => {
        const error = (n.params as { error?: { code: string; details?: { reason?: string } } }).error;
        return n.method === 'artifact/upload/chunk_ack' && error?.code === 'invalid_params' && error.details?.reason === 'beyond_declared_size';
      }),
    );

    socket.send(uploadFrame(id, 0, deterministicBytes(4, 0, LIMITS.transfer.chunkMaxBytes + 1)));
    await socket.waitFor(() =>
      socket.notifications.some((n) => n.method === 'artifact/upload/chunk_ack' && (n.params as { error?: { code: string } }).error?.code === 'payload_too_large'),
    );

    const status = await socket.call<{ upload: { received_bytes: number; next_offset: number; state: string } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: id });
    expect(status.upload).toMatchObject({ received_bytes: 0, next_offset: 0, state: 'open' });

    // The session still works after the refusals.
    const seen = socket.notifications.length;
    socket.send(uploadFrame(id, 0, first));
    expect((await ackFor(socket, id, 0, seen)).params).toMatchObject({ next_offset: CHUNK });
    await socket.call('artifact/upload/abort', { workspace_id: workspaceId, upload_id: id });
    await socket.close();
  });

  it('a wrong whole-file hash at finish: checksum_mismatch, no artifact, the session aborted and its temp gone', async () => {
    const before = await artifactCount();
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const bytes = deterministicBytes(8, 0, 1000);
    const session = await startRaw(socket, bytes, { sha256: sha256Hex(Buffer.from('another file')) });
    socket.send(uploadFrame(session.upload_id, 0, bytes));
    expect((await ackFor(socket, session.upload_id, 0)).params.next_offset).toBe(1000);
    const finish = await socket.request('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(finish.error?.data).toMatchObject({ code: 'checksum_mismatch', details: { reason: 'whole_file' } });
    expect(await artifactCount()).toBe(before);
    const status = await socket.call<{ upload: { state: string } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(status.upload.state).toBe('aborted');
    const temps: string[] = [];
    for await (const temp of gateway.services.artifacts.blobs.uploads.list()) temps.push(temp.upload_id);
    expect(temps).not.toContain(session.upload_id);
    await socket.close();
  });

  it("another token's upload id: not_found for its chunks and its status, and the owner's session untouched", async () => {
    const owner = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const other = await RpcSocket.open(gateway.rpcUrl, await gateway.scopedToken([workspaceId]));
    const bytes = deterministicBytes(9, 0, 100);
    const session = await startRaw(owner, bytes);
    other.send(uploadFrame(session.upload_id, 0, bytes));
    expect((await ackFor(other, session.upload_id, 0)).params.error).toMatchObject({ code: 'not_found' });
    expect((await other.request('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id })).error?.data.code).toBe('not_found');
    expect((await other.request('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id })).error?.data.code).toBe('not_found');
    expect((await owner.call<{ upload: { received_bytes: number } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id })).upload.received_bytes).toBe(0);
    await owner.call('artifact/upload/abort', { workspace_id: workspaceId, upload_id: session.upload_id });
    await owner.close();
    await other.close();
  });

  it('an expired session: session_expired for chunks and finish; the prune removes it', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const bytes = deterministicBytes(10, 0, 100);
    const session = await startRaw(socket, bytes, { expires_in_ms: 1 });
    await new Promise((r) => setTimeout(r, 20));
    socket.send(uploadFrame(session.upload_id, 0, bytes));
    expect((await ackFor(socket, session.upload_id, 0)).params.error).toMatchObject({ code: 'session_expired' });
    expect((await socket.request('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id })).error?.data.code).toBe('session_expired');
    await gateway.services.transfer.uploads.pruneExpired();
    const status = await socket.call<{ upload: { state: string } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(['expired', 'aborted']).toContain(status.upload.state);
    await socket.close();
  });

  it('quota exceeded: a file over max_artifact_bytes at start, and past the workspace quota at finish; nothing visible', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const tooBig = await socket.request('artifact/upload/start', {
      workspace_id: workspaceId,
      file_name: 'huge.bin',
      mime_type: 'application/octet-stream',
      size_bytes: 121 * 1024 * 1024,
      sha256: '0'.repeat(64),
    });
    expect(tooBig.error?.data).toMatchObject({ code: 'quota_exceeded', details: { quota: 'max_artifact_bytes' } });
    await socket.close();

    // A gateway whose workspaces hold 1 MiB: two 600 KB uploads both start; the second cannot finish.
    const small = await startTestGateway(join(root, 'small-home'), { settings: { quotas: { workspace_artifact_bytes: 1024 * 1024 } } });
    try {
      const ws = (await small.runtime.store.workspaces.ensureDefault()).workspace_id;
      const raw = await RpcSocket.open(small.rpcUrl, small.operatorToken);
      const ids: string[] = [];
      for (const seed of [21, 22]) {
        const bytes = deterministicBytes(seed, 0, 600_000);
        const { upload: session } = await raw.call<{ upload: { upload_id: string } }>('artifact/upload/start', {
          workspace_id: ws, file_name: `q${seed}.bin`, mime_type: 'application/octet-stream', size_bytes: bytes.length, sha256: sha256Hex(bytes),
        });
        const seen = raw.notifications.length;
        for (let offset = 0; offset < bytes.length; offset += CHUNK) raw.send(uploadFrame(session.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
        await raw.waitFor(() => raw.notifications.slice(seen).some((n) => (n.params as { next_offset: number }).next_offset === bytes.length));
        ids.push(session.upload_id);
      }
      await raw.call('artifact/upload/finish', { workspace_id: ws, upload_id: ids[0] });
      const second = await raw.request('artifact/upload/finish', { workspace_id: ws, upload_id: ids[1] });
      expect(second.error?.data).toMatchObject({ code: 'quota_exceeded', details: { quota: 'workspace_artifact_bytes' } });
      expect((await small.runtime.store.artifacts.list({ workspace_id: ws })).items.map((a) => a.name)).toEqual(['q21.bin']);
      await raw.close();
    } finally {
      await small.close();
    }
  });

  it('a frame with a truncated header: invalid_frame (the connection stays); a non-Cairn binary frame closes 1003', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const frame = encodeFrame('CAUP', { upload_id: 'up_x', offset: 0, len: 1, chunk_sha256: '0'.repeat(64) }, new Uint8Array([1]));
    socket.send(Buffer.from(frame.subarray(0, 20)));
    const answer = await socket.waitFor(() => socket.answers.find((a) => a.error?.data.code === 'invalid_frame'));
    expect(answer).toMatchObject({ id: null, error: { data: { details: { reason: 'truncated_header' } } } });
    expect((await socket.call<{ token: unknown }>('auth/me')).token).toBeDefined();
    socket.send(Buffer.from('JUNKJUNK'));
    await socket.waitFor(() => socket.closed);
    expect(socket.closed?.code).toBe(1003);
  });
});

describe('notifications', () => {
  it('finish emits artifact/created and thread/artifacts/changed from the journal to the thread subscribers', async () => {
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { thread } = await socket.call<{ thread: { thread_id: string } }>('thread/start', { workspace_id: workspaceId, title: 'uploads' });
    const bytes = deterministicBytes(31, 0, 1234);
    await withClient(async (client) => {
      const { artifact } = await upload(bytes, { client, workspace_id: workspaceId, thread_id: thread.thread_id, file_name: 'bound.bin' });
      const created = await socket.waitFor(() => socket.notifications.find((n) => n.method === 'artifact/created' && JSON.stringify(n.params).includes(artifact.artifact_id)));
      expect(created.params).toMatchObject({ workspace_id: workspaceId });
      expect(typeof created.params.seq).toBe('number');
      await socket.waitFor(() => socket.notifications.find((n) => n.method === 'thread/artifacts/changed' && (n.params as { thread_id?: string }).thread_id === thread.thread_id));
    });
    await socket.close();
  });
});

describe('download refusals', () => {
  it("a deleted artifact is artifact_unavailable, another workspace's not_found (or forbidden_workspace for a scoped token)", async () => {
    const other = (await gateway.runtime.store.workspaces.create({ workspace_id: 'ws-other-transfer', name: 'other' })).workspace_id;
    await withClient(async (client) => {
      const mine = await upload(Buffer.from('mine'), { client, workspace_id: workspaceId, file_name: 'mine.txt' });
      const theirs = await upload(Buffer.from('theirs'), { client, workspace_id: other, file_name: 'theirs.txt' });
      await expect(download({ workspace_id: workspaceId, artifact_id: theirs.artifact.artifact_id }, collector().sink, { client })).rejects.toMatchObject({ code: 'not_found' });
      await gateway.runtime.store.artifacts.delete({ workspace_id: workspaceId, artifact_id: mine.artifact.artifact_id });
      await expect(download({ workspace_id: workspaceId, artifact_id: mine.artifact.artifact_id }, collector().sink, { client })).rejects.toMatchObject({
        code: 'artifact_unavailable',
        details: { status: 'deleted' },
      });
    });
    const scoped = await gateway.scopedToken([workspaceId]);
    await withClient(async (client) => {
      await expect(client.call('artifact/download/start', { workspace_id: other, artifact_id: 'whatever' })).rejects.toMatchObject({ code: 'forbidden_workspace' });
    }, scoped);
  });
});

describe('resuming', () => {
  it('disconnect mid-upload, reconnect, status, resume, finish: the artifact is complete and correct', async () => {
    const bytes = deterministicBytes(11, 0, 5 * CHUNK + 17);
    const first = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const session = await startRaw(first, bytes);
    for (let offset = 0; offset < 2 * CHUNK; offset += CHUNK) first.send(uploadFrame(session.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
    await ackFor(first, session.upload_id, CHUNK);
    first.socket.terminate();

    const second = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const status = await second.call<{ upload: { next_offset: number } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(status.upload.next_offset).toBe(2 * CHUNK);
    let last = 0;
    for (let offset = status.upload.next_offset; offset < bytes.length; offset += CHUNK) {
      second.send(uploadFrame(session.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
      last = offset;
    }
    expect((await ackFor(second, session.upload_id, last)).params.next_offset).toBe(bytes.length);
    const { artifact } = await second.call<{ artifact: { artifact_id: string; sha256: string } }>('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(artifact.sha256).toBe(sha256Hex(bytes));
    // A retried finish (as after a lost answer) answers the same artifact, and no second one.
    const again = await second.call<{ artifact: { artifact_id: string } }>('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(again.artifact.artifact_id).toBe(artifact.artifact_id);
    await second.close();
    await withClient(async (client) => {
      const out = collector();
      await download({ workspace_id: workspaceId, artifact_id: artifact.artifact_id }, out.sink, { client });
      expect(out.bytes().equals(bytes)).toBe(true);
    });
  });

  it('a saved hash state behind the durable offset (as a restart finds it): the gap is re-hashed from the temp and finish checks the whole file', async () => {
    const bytes = deterministicBytes(13, 0, 9 * CHUNK + 5);
    const socket = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const session = await startRaw(socket, bytes);
    // What a gateway killed right after a checkpoint leaves when its hash worker trailed: six
    // chunks durable in the temp and the row, the saved hash state still at byte 0.
    const temp = await gateway.services.artifacts.blobs.uploads.open(workspaceId, session.upload_id);
    await temp.write(0, bytes.subarray(0, 6 * CHUNK));
    await temp.sync();
    await temp.close();
    await gateway.runtime.store.artifacts.advanceUploadSession({ workspace_id: workspaceId, upload_id: session.upload_id, expected_offset: 0, received_bytes: 6 * CHUNK, hash_state: '0:' });
    const status = await socket.call<{ upload: { next_offset: number } }>('artifact/upload/status', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(status.upload.next_offset).toBe(6 * CHUNK);
    for (let offset = 6 * CHUNK; offset < bytes.length; offset += CHUNK) socket.send(uploadFrame(session.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
    expect((await ackFor(socket, session.upload_id, 9 * CHUNK)).params.next_offset).toBe(bytes.length);
    const { artifact } = await socket.call<{ artifact: { sha256: string; size_bytes: number } }>('artifact/upload/finish', { workspace_id: workspaceId, upload_id: session.upload_id });
    expect(artifact).toMatchObject({ sha256: sha256Hex(bytes), size_bytes: bytes.length });
    await socket.close();
  });

  it('after a restart a chunk naming a session this gateway has not looked up is not_found (no scan); status finds it and the upload goes on', async () => {
    const home = join(root, 'restart-home');
    const bytes = deterministicBytes(14, 0, 2 * CHUNK);
    let gw = await startTestGateway(home);
    let ws: string;
    let uploadId: string;
    // The same token across the restart (it lives in the home's database): the session is this token's.
    const token = gw.operatorToken;
    try {
      ws = (await gw.runtime.store.workspaces.ensureDefault()).workspace_id;
      const socket = await RpcSocket.open(gw.rpcUrl, token);
      const { upload: session } = await socket.call<{ upload: { upload_id: string } }>('artifact/upload/start', {
        workspace_id: ws,
        file_name: 'restart.bin',
        mime_type: 'application/octet-stream',
        size_bytes: bytes.length,
        sha256: sha256Hex(bytes),
      });
      uploadId = session.upload_id;
      await socket.close();
    } finally {
      await gw.close();
    }
    gw = await startTestGateway(home);
    try {
      const socket = await RpcSocket.open(gw.rpcUrl, token);
      socket.send(uploadFrame(uploadId, 0, bytes.subarray(0, CHUNK)));
      expect((await ackFor(socket, uploadId, 0)).params.error).toMatchObject({ code: 'not_found' });
      const status = await socket.call<{ upload: { next_offset: number; state: string } }>('artifact/upload/status', { workspace_id: ws, upload_id: uploadId });
      expect(status.upload).toMatchObject({ next_offset: 0, state: 'open' });
      socket.send(uploadFrame(uploadId, 0, bytes.subarray(0, CHUNK)));
      socket.send(uploadFrame(uploadId, CHUNK, bytes.subarray(CHUNK)));
      expect((await ackFor(socket, uploadId, CHUNK)).params.next_offset).toBe(bytes.length);
      const { artifact } = await socket.call<{ artifact: { sha256: string } }>('artifact/upload/finish', { workspace_id: ws, upload_id: uploadId });
      expect(artifact.sha256).toBe(sha256Hex(bytes));
      await socket.close();
    } finally {
      await gw.close();
    }
  });

  it('the upload helper resumes by itself when the gateway drops its connection', async () => {
    const bytes = deterministicBytes(12, 0, 3 * LIMITS.transfer.windowChunks * CHUNK + 3);
    await withClient(async (client) => {
      let dropped = false;
      const result = await upload(bytes, { client, workspace_id: workspaceId, file_name: 'dropped.bin' }, (p) => {
        if (!dropped && p.transferred_bytes >= 3 * CHUNK) {
          dropped = true;
          for (const session of gateway.services.sessions) session.socket.terminate();
        }
      });
      expect(dropped).toBe(true);
      expect(result.resumes).toBeGreaterThanOrEqual(1);
      expect(result.artifact.sha256).toBe(sha256Hex(bytes));
    });
  });
});

describe('flow control', () => {
  it('a client that stops reading mid-download does not grow what the gateway buffers', async () => {
    const size = 48 * 1024 * 1024;
    const source = join(root, 'slow.bin');
    await writeDeterministicFile(source, 77, size);
    const artifact = await withClient((client) => upload(source, { client, workspace_id: workspaceId }));
    rmSync(source);
    const stats = gateway.services.transfer.downloads;
    const socket = new WebSocket(gateway.rpcUrl, { headers: { authorization: `Bearer ${gateway.operatorToken}` } });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    let received = 0;
    let answered = false;
    socket.on('message', (data, isBinary) => {
      if (isBinary) received += (data as Buffer).length;
      else answered = true;
    });
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'artifact/download/start', params: { workspace_id: workspaceId, artifact_id: artifact.artifact.artifact_id } }));
    // Stop reading from the kernel as soon as the download has begun: the gateway must stall, not queue.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (answered && received > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 1);
    });
    (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const deadline = Date.now() + 20_000;
    while (stats.stats().stalled === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const stalled = stats.stats();
    expect(stalled.stalled).toBe(1);
    const bound = LIMITS.transfer.windowChunks * (CHUNK + 1024);
    expect(stalled.peakBufferedBytes).toBeLessThanOrEqual(bound);
    expect(stalled.peakUnconfirmedFrames).toBeLessThanOrEqual(LIMITS.transfer.windowChunks);
    // The download is held back, not finished into the process's memory.
    expect(received).toBeLessThan(size);
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (received >= size) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(stats.stats().peakBufferedBytes).toBeLessThanOrEqual(bound);
    socket.close();
  }, 60_000);
});
