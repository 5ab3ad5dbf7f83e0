import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTs } from '@cairn/tooling/child';
import { openTempService, type TempService } from '../testing/temp-service.js';

const CHILD = join(import.meta.dirname, '..', 'testing', 'ingest-child.ts');
const WS = 'ws_crash';
const HOURS_25 = 25 * 3_600_000;

// SIGKILL of a real child process at the two dangerous points of an ingest. Either the
// artifact is complete (row + verified blob) or nothing is visible; GC later reclaims what the
// crash left (a temp, or a blob at its address with no row).
describe('ingest crash (SIGKILL of a child process)', () => {
  let t: TempService;
  let src: string;
  let bytes: Buffer;
  let sha: string;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'crash' });
    src = join(t.dir, 'src');
    mkdirSync(src);
    bytes = randomBytes(3 * 2 ** 20);
    sha = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(src, 'report.bin'), bytes);
  });
  afterEach(async () => t.cleanup());

  const run = (killAt: string) => runTs(CHILD, [t.database, t.dir, t.root, src, 'report.bin', WS, killAt]);
  const blobFile = () => join(t.root, 'workspaces', WS, 'blobs', 'sha256', sha.slice(0, 2), sha.slice(2, 4), sha);
  const temps = () => (existsSync(join(t.root, 'workspaces', WS, 'blobs', 'tmp')) ? readdirSync(join(t.root, 'workspaces', WS, 'blobs', 'tmp')) : []);
  const visible = async () => (await (await t.reopen()).artifacts.list({ workspace_id: WS })).items;

  it('killed between the blob write and the rename: nothing visible, no blob at the address; GC removes the temp; a retry completes', async () => {
    const killed = await run('temp_synced');
    expect(killed.signal).toBe('SIGKILL');
    expect(await visible()).toEqual([]);
    expect(existsSync(blobFile())).toBe(false);
    expect(temps()).toHaveLength(1);

    const report = await t.service.gcExecute(await t.service.gcPlan({ now: new Date(Date.now() + HOURS_25) }), { now: new Date(Date.now() + HOURS_25) });
    expect(report.temps_removed).toBe(1);
    expect(temps()).toEqual([]);

    const done = await run('none');
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    const ref = JSON.parse(done.stdout.trim()) as { sha256: string; size_bytes: number };
    expect(ref).toMatchObject({ sha256: sha, size_bytes: bytes.byteLength });
    expect((await visible()).map((a) => a.sha256)).toEqual([sha]);
    expect(await t.blobs.verify(WS, sha)).toBe('ok');
  }, 60_000);

  it('killed between the rename and the metadata commit: nothing visible, the blob is an orphan GC reclaims after the grace period', async () => {
    const killed = await run('renamed');
    expect(killed.signal).toBe('SIGKILL');
    expect(await visible()).toEqual([]);
    expect(await t.blobs.verify(WS, sha)).toBe('ok');

    // Within the grace period the file is left alone: an ingest may be about to commit it.
    const early = await t.service.gcPlan({ now: new Date() });
    expect(early.orphan_blobs).toEqual([]);
    const later = new Date(Date.now() + HOURS_25);
    const plan = await t.service.gcPlan({ now: later });
    expect(plan.orphan_blobs).toEqual([{ workspace_id: WS, sha256: sha, size_bytes: bytes.byteLength, reason: 'file_without_row' }]);
    const report = await t.service.gcExecute(plan, { now: later });
    expect(report).toMatchObject({ blobs_deleted: 1, bytes_deleted: bytes.byteLength, blobs_kept: 0 });
    expect(existsSync(blobFile())).toBe(false);

    const done = await run('none');
    expect({ code: done.code, stderr: done.stderr }).toEqual({ code: 0, stderr: '' });
    expect((await visible()).map((a) => a.sha256)).toEqual([sha]);
  }, 60_000);

  it('a retry after a kill past the rename reuses the verified blob and completes', async () => {
    expect((await run('renamed')).signal).toBe('SIGKILL');
    const done = await run('none');
    expect(done.code).toBe(0);
    expect((await visible()).map((a) => a.size_bytes)).toEqual([bytes.byteLength]);
    // Now referenced: GC, however late, keeps it.
    const later = new Date(Date.now() + HOURS_25);
    const plan = await t.service.gcPlan({ now: later });
    expect(plan.orphan_blobs).toEqual([]);
    await t.service.gcExecute(plan, { now: later });
    expect(await t.blobs.verify(WS, sha)).toBe('ok');
  }, 60_000);
});
