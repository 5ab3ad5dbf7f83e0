import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway } from '@cairn/gateway/testing';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-artifact-workers-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function until(check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await sleep(25);
  }
}

describe('the artifact workers at gateway start', () => {
  it('remove expired upload sessions and orphan upload temps; an open session keeps its temp', async () => {
    const home = join(root, 'home');
    const sha = 'a'.repeat(64);
    let first = await startTestGateway(home, { settings: { agent: { runtime: 'external' } } });
    const ws = (await first.runtime.store.workspaces.ensureDefault()).workspace_id;
    const declare = (upload_id: string, expiresInMs: number) =>
      first.runtime.store.artifacts.createUploadSession({
        workspace_id: ws, upload_id, token_id: 'tok_workers', file_name: `${upload_id}.bin`, mime_type: 'application/octet-stream',
        size_bytes: 4, sha256: sha, source_kind: 'user_upload', chunk_size: 4, expires_at: new Date(Date.now() + expiresInMs).toISOString(),
      });
    await declare('up_expiring', 200);
    await declare('up_open', 3_600_000);
    for (const id of ['up_expiring', 'up_open', 'up_orphan']) {
      const temp = await first.services.artifacts.blobs.uploads.open(ws, id);
      await temp.write(0, Buffer.from('abcd'));
      await temp.close();
    }
    await first.close();
    const temp = (id: string) => join(home, 'artifacts', 'upload_sessions', ws, id);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(join(temp('up_orphan'), 'payload.bin'), old, old);
    await sleep(250);

    first = await startTestGateway(home, { settings: { agent: { runtime: 'external' } } });
    try {
      await until(() => !existsSync(temp('up_expiring')) && !existsSync(temp('up_orphan')), 10_000);
      expect(existsSync(temp('up_open'))).toBe(true);
      expect((await first.runtime.store.artifacts.getUploadSession({ workspace_id: ws, upload_id: 'up_expiring' })).status).toBe('expired');
      expect((await first.runtime.store.artifacts.getUploadSession({ workspace_id: ws, upload_id: 'up_open' })).status).toBe('open');
    } finally {
      await first.close();
    }
  }, 30_000);
});
