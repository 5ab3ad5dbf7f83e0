// Artifact transfer across a SIGKILL: a built `cairn serve` is killed mid-upload; after a restart
// on the same home, `artifact/upload/status` from a new connection (same token) says where the
// durable bytes end: at least what a `status` answered before the kill (a status answer is
// durable; a chunk ack says written, not durable), never past what was sent. The upload
// continues from there and finishes (the resumable hash re-hashes from its saved point), and
// the artifact's bytes are exactly the file's. The
// `cairn artifacts upload|download` commands run against the restarted gateway too.
import { afterEach, describe, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LIMITS } from '@cairn/protocol';
import { RpcSocket, deterministicBytes, sha256Hex, uploadFrame } from '@cairn/gateway/testing';
import { itBuilt, runBuilt } from './testing/built-cli.js';
import { issueOperatorToken, prepareHome, serveBuilt, type BuiltGateway } from './testing/gateway-children.js';

const CHUNK = LIMITS.transfer.chunkRecommendedBytes;
let root: string;
const gateways: BuiltGateway[] = [];
const sockets: RpcSocket[] = [];

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => s.close()));
  await Promise.all(gateways.splice(0).map((g) => g.stop()));
  rmSync(root, { recursive: true, force: true });
});

const acked = (socket: RpcSocket, uploadId: string) =>
  socket.notifications
    .filter((n) => n.method === 'artifact/upload/chunk_ack' && n.params['upload_id'] === uploadId && n.params['error'] === undefined)
    .reduce((max, n) => Math.max(max, n.params['next_offset'] as number), 0);

describe('an upload across a SIGKILL of the gateway', () => {
  itBuilt('resumes from the durable offset after the restart and finishes with the exact bytes; the CLI uploads and downloads', async () => {
    root = mkdtempSync(join(tmpdir(), 'cairn-transfer-crash-'));
    const home = prepareHome(join(root, 'home'), '');
    const token = await issueOperatorToken({ home });
    const first = await serveBuilt({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn' });
    gateways.push(first);
    const bytes = deterministicBytes(7, 0, 24 * CHUNK + 99);

    const before = await RpcSocket.open(first.rpcUrl, token);
    sockets.push(before);
    const ws = (await before.call<{ workspace: { workspace_id: string } }>('workspace/default')).workspace.workspace_id;
    const { upload } = await before.call<{ upload: { upload_id: string } }>('artifact/upload/start', {
      workspace_id: ws,
      file_name: 'crash.bin',
      mime_type: 'application/octet-stream',
      size_bytes: bytes.length,
      sha256: sha256Hex(bytes),
    });
    // Ten chunks acknowledged and confirmed durable by `status`, then four more in flight when the kill comes.
    for (let offset = 0; offset < 10 * CHUNK; offset += CHUNK) before.send(uploadFrame(upload.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
    await before.waitFor(() => acked(before, upload.upload_id) === 10 * CHUNK);
    const durable = (await before.call<{ upload: { next_offset: number } }>('artifact/upload/status', { workspace_id: ws, upload_id: upload.upload_id })).upload.next_offset;
    expect(durable).toBe(10 * CHUNK);
    for (let offset = 10 * CHUNK; offset < 14 * CHUNK; offset += CHUNK) before.send(uploadFrame(upload.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await serveBuilt({ CAIRN_HOME: home, CAIRN_LOG_LEVEL: 'warn' });
    gateways.push(second);
    const after = await RpcSocket.open(second.rpcUrl, token);
    sockets.push(after);
    const status = await after.call<{ upload: { state: string; next_offset: number; received_bytes: number } }>('artifact/upload/status', { workspace_id: ws, upload_id: upload.upload_id });
    expect(status.upload.state).toBe('open');
    expect(status.upload.next_offset).toBeGreaterThanOrEqual(durable);
    expect(status.upload.next_offset).toBeLessThanOrEqual(14 * CHUNK);
    expect(status.upload.next_offset % CHUNK).toBe(0);
    for (let offset = status.upload.next_offset; offset < bytes.length; offset += CHUNK) after.send(uploadFrame(upload.upload_id, offset, bytes.subarray(offset, offset + CHUNK)));
    await after.waitFor(() => acked(after, upload.upload_id) === bytes.length);
    const { artifact } = await after.call<{ artifact: { artifact_id: string; sha256: string; size_bytes: number } }>('artifact/upload/finish', { workspace_id: ws, upload_id: upload.upload_id });
    expect(artifact).toMatchObject({ sha256: sha256Hex(bytes), size_bytes: bytes.length });

    // The CLI: download what the socket uploaded, upload a file and read it back.
    const env = { CAIRN_TOKEN: token, CAIRN_HOME: home };
    const out = join(root, 'crash.out');
    const down = await runBuilt(['--json', 'artifacts', 'download', artifact.artifact_id, out, '--workspace', ws, '--url', second.rpcUrl], { env });
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ bytes_written: bytes.length, verified_whole_file: true });
    expect(readFileSync(out).equals(bytes)).toBe(true);

    const source = join(root, 'cli.bin');
    const fileBytes = deterministicBytes(8, 0, 3 * CHUNK + 1);
    writeFileSync(source, fileBytes);
    const up = await runBuilt(['--json', 'artifacts', 'upload', source, '--workspace', ws, '--url', second.rpcUrl], { env });
    expect(up.code).toBe(0);
    const uploaded = JSON.parse(up.stdout) as { artifact: { artifact_id: string; sha256: string; name: string } };
    expect(uploaded.artifact).toMatchObject({ sha256: sha256Hex(fileBytes), name: 'cli.bin' });
    const range = await runBuilt(['--json', 'artifacts', 'download', uploaded.artifact.artifact_id, join(root, 'part.out'), '--workspace', ws, '--offset', '100', '--length', '1000', '--url', second.rpcUrl], { env });
    expect(range.code).toBe(0);
    expect(readFileSync(join(root, 'part.out')).equals(fileBytes.subarray(100, 1100))).toBe(true);

    const noToken = await runBuilt(['artifacts', 'upload', source, '--workspace', ws, '--url', second.rpcUrl], { env: { CAIRN_HOME: home } });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('CAIRN_TOKEN');
  }, 90_000);
});
