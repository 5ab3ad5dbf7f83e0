import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { LIMITS } from '@cairn/protocol';
import { createTestDatabase } from '@cairn/tooling/postgres';
import { createCairnClient, download, upload } from '@cairn/client';
import { RpcSocket, deterministicBytes, sha256Hex, startTestGateway, uploadFrame, type TestGateway } from '@cairn/gateway/testing';

const CHUNK = LIMITS.transfer.chunkRecommendedBytes;
let root: string;
let gateway: TestGateway;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'cairn-pg-transfer-'));
  const { url } = await createTestDatabase('gw_transfer');
  gateway = await startTestGateway(join(root, 'home'), { env: { databaseUrl: url } });
});

afterAll(async () => {
  await gateway?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('artifact transfer on PostgreSQL (upload-session rows there, bytes in the blob store)', () => {
  it('round-trips, refuses a bad chunk with nothing kept, and resumes on a new connection', async () => {
    expect(gateway.runtime.store.postgres).toBeDefined();
    const ws = (await gateway.runtime.store.workspaces.ensureDefault()).workspace_id;
    const bytes = deterministicBytes(3, 0, 6 * CHUNK + 11);
    const first = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const { upload: session } = await first.call<{ upload: { upload_id: string } }>('artifact/upload/start', {
      workspace_id: ws, file_name: 'pg.bin', mime_type: 'application/octet-stream', size_bytes: bytes.length, sha256: sha256Hex(bytes),
    });
    const id = session.upload_id;
    first.send(uploadFrame(id, 0, bytes.subarray(0, CHUNK), sha256Hex(Buffer.from('wrong'))));
    await first.waitFor(() => first.notifications.find((n) => (n.params as { error?: { code: string } }).error?.code === 'checksum_mismatch'));
    for (let offset = 0; offset < 3 * CHUNK; offset += CHUNK) first.send(uploadFrame(id, offset, bytes.subarray(offset, offset + CHUNK)));
    await first.waitFor(() => first.notifications.find((n) => (n.params as { next_offset: number; error?: unknown }).next_offset === 3 * CHUNK && !(n.params as { error?: unknown }).error));
    first.socket.terminate();

    const second = await RpcSocket.open(gateway.rpcUrl, gateway.operatorToken);
    const status = await second.call<{ upload: { next_offset: number } }>('artifact/upload/status', { workspace_id: ws, upload_id: id });
    expect(status.upload.next_offset).toBe(3 * CHUNK);
    for (let offset = 3 * CHUNK; offset < bytes.length; offset += CHUNK) second.send(uploadFrame(id, offset, bytes.subarray(offset, offset + CHUNK)));
    await second.waitFor(() => second.notifications.find((n) => (n.params as { next_offset: number }).next_offset === bytes.length));
    const { artifact } = await second.call<{ artifact: { artifact_id: string; sha256: string } }>('artifact/upload/finish', { workspace_id: ws, upload_id: id });
    expect(artifact.sha256).toBe(sha256Hex(bytes));
    await second.close();

    const client = createCairnClient({ url: gateway.rpcUrl, token: gateway.operatorToken });
    try {
      const again = await upload(bytes.subarray(0, 1000), { client, workspace_id: ws, file_name: 'pg-small.bin' });
      const parts: Buffer[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _e, done) => { parts.push(chunk); done(); } });
      await download({ workspace_id: ws, artifact_id: artifact.artifact_id }, sink, { client });
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      expect(again.artifact.size_bytes).toBe(1000);
    } finally {
      await client.close();
    }
  });
});
