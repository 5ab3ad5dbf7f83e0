import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { ArtifactUpdatedNotification, NOTIFICATION_OF_EVENT, checkValue } from '@cairn/protocol';
import { ArtifactService } from './artifact-service.js';
import { openTempService, type TempService } from '../testing/temp-service.js';

const WS = 'ws_quar';
const blobPath = (t: TempService, ws: string, digest: string) => join(t.root, 'workspaces', ws, 'blobs', 'sha256', digest.slice(0, 2), digest.slice(2, 4), digest);

// Quarantine (SQLite, then PostgreSQL): a verified read or verifyBlobs that finds a current
// version's blob corrupt or missing quarantines every artifact on it (journaled, notified as
// artifact/updated), reads of them answer artifact_unavailable, and re-ingesting the same
// bytes puts them back to ready.

describe('ArtifactService quarantine', () => {
  let t: TempService;
  let service: ArtifactService;
  let woken: string[];
  beforeEach(async () => {
    t = await openTempService();
    woken = [];
    service = new ArtifactService({ store: t.store, blobs: t.blobs, settings: t.service.settings, onCommitted: (ws) => woken.push(ws) });
    await t.store.workspaces.create({ workspace_id: WS, name: 'q' });
  });
  afterEach(async () => t.cleanup());

  const status = async (artifact_id: string) => (await t.store.artifacts.get({ workspace_id: WS, artifact_id })).artifact.status;
  const events = (type: string) =>
    t.store.context.read((q) => q.all<{ stream_id: string; payload: string; seq: number; thread_id: string | null }>('SELECT stream_id, payload, workspace_seq AS seq, thread_id FROM journal_event WHERE type = ? ORDER BY position', [type]));

  it('a corrupt blob found by a verified read quarantines every artifact on it; reads refuse them; re-ingesting the bytes restores them', async () => {
    const bytes = Buffer.from('the quarterly figures '.repeat(50));
    const a = await service.ingestBytes({ workspace_id: WS, name: 'a.txt', source_kind: 'api' }, bytes);
    const b = await service.ingestBytes({ workspace_id: WS, name: 'b.txt', source_kind: 'api' }, bytes);
    const c = await service.ingestBytes({ workspace_id: WS, name: 'c.txt', source_kind: 'api' }, Buffer.from('unrelated'));
    expect(b.sha256).toBe(a.sha256);
    writeFileSync(blobPath(t, WS, a.sha256), Buffer.from('the quarterly f1gures '.repeat(50)));

    // An unverified read serves what is there (it cannot tell); the verified one fails and quarantines.
    await buffer((await service.read({ workspace_id: WS, artifact_id: a.artifact_id })).stream);
    expect(await status(a.artifact_id)).toBe('ready');
    const read = await service.read({ workspace_id: WS, artifact_id: a.artifact_id }, { verify: true });
    await expect(buffer(read.stream)).rejects.toMatchObject({ code: 'integrity_failed' });
    expect([await status(a.artifact_id), await status(b.artifact_id), await status(c.artifact_id)]).toEqual(['quarantined', 'quarantined', 'ready']);
    expect(woken).toEqual([WS]);

    const quarantined = await events('artifact.quarantined');
    expect(quarantined.map((e) => e.stream_id).sort()).toEqual([a.artifact_id, b.artifact_id].sort());
    expect(NOTIFICATION_OF_EVENT['artifact.quarantined']).toBe('artifact/updated');
    for (const e of quarantined) {
      const payload = JSON.parse(e.payload) as Record<string, unknown>;
      expect(payload).toMatchObject({ change: 'quarantined', sha256: a.sha256, reason: 'blob_corrupt', artifact: { status: 'quarantined' } });
      expect(checkValue(ArtifactUpdatedNotification, { workspace_id: WS, seq: Number(e.seq), recorded_at: new Date().toISOString(), thread_id: e.thread_id, ...payload }).ok).toBe(true);
    }

    // Every read refuses them, typed; metadata still answers (that is how a client sees the status).
    for (const attempt of [service.read({ workspace_id: WS, artifact_id: a.artifact_id }), service.readText({ workspace_id: WS, artifact_id: b.artifact_id })]) {
      await expect(attempt).rejects.toMatchObject({ code: 'artifact_unavailable', details: { status: 'quarantined' } });
    }
    expect((await service.readText({ workspace_id: WS, artifact_id: c.artifact_id })).text).toBe('unrelated');
    // Found again: nothing more is journaled.
    expect(await t.store.artifacts.quarantineBlob({ workspace_id: WS, sha256: a.sha256, reason: 'blob_corrupt' })).toEqual([]);

    // A rebuild replays the quarantine.
    expect((await t.store.repair.rebuild()).violations).toEqual([]);
    expect(await status(a.artifact_id)).toBe('quarantined');

    // The same bytes again (any ingest): the corrupt file is replaced, both are ready again.
    await service.ingestBytes({ workspace_id: WS, name: 'a-again.txt', source_kind: 'api' }, bytes);
    expect([await status(a.artifact_id), await status(b.artifact_id)]).toEqual(['ready', 'ready']);
    expect((await events('artifact.quarantine_released')).map((e) => JSON.parse(e.payload) as unknown)).toEqual(
      expect.arrayContaining([expect.objectContaining({ change: 'quarantine_released', sha256: a.sha256, artifact: expect.objectContaining({ status: 'ready' }) })]),
    );
    expect(NOTIFICATION_OF_EVENT['artifact.quarantine_released']).toBe('artifact/updated');
    expect((await buffer((await service.read({ workspace_id: WS, artifact_id: b.artifact_id }, { verify: true })).stream)).equals(bytes)).toBe(true);
  });

  it('verifyBlobs quarantines what it finds missing or corrupt (unless quarantine: false); a missing blob read answers artifact_unavailable', async () => {
    const gone = await service.ingestBytes({ workspace_id: WS, name: 'gone.txt', source_kind: 'api' }, Buffer.from('soon gone'));
    const bad = await service.ingestBytes({ workspace_id: WS, name: 'bad.txt', source_kind: 'api' }, Buffer.from('soon corrupt'));
    const fine = await service.ingestBytes({ workspace_id: WS, name: 'fine.txt', source_kind: 'api' }, Buffer.from('fine'));
    await t.blobs.delete(WS, gone.sha256);
    writeFileSync(blobPath(t, WS, bad.sha256), Buffer.from('soon c0rrupt'));

    const reportOnly = await service.verifyBlobs({ quarantine: false });
    expect(reportOnly).toMatchObject({ missing: [{ sha256: gone.sha256 }], corrupt: [{ sha256: bad.sha256 }] });
    expect(reportOnly.quarantined).toBeUndefined();
    expect([await status(gone.artifact_id), await status(bad.artifact_id)]).toEqual(['ready', 'ready']);

    const report = await service.verifyBlobs();
    expect(report.quarantined!.sort()).toEqual([gone.artifact_id, bad.artifact_id].sort());
    expect([await status(gone.artifact_id), await status(bad.artifact_id), await status(fine.artifact_id)]).toEqual(['quarantined', 'quarantined', 'ready']);
    await expect(service.read({ workspace_id: WS, artifact_id: gone.artifact_id })).rejects.toMatchObject({ code: 'artifact_unavailable', details: { status: 'quarantined' } });

    // A missing file found by a read (before any verify) quarantines too, and answers artifact_unavailable at once.
    const other = await service.ingestBytes({ workspace_id: WS, name: 'other.txt', source_kind: 'api' }, Buffer.from('other bytes'));
    await t.blobs.delete(WS, other.sha256);
    await expect(service.readText({ workspace_id: WS, artifact_id: other.artifact_id })).rejects.toMatchObject({ code: 'artifact_unavailable', details: { status: 'quarantined', reason: 'blob_missing' } });
    expect(await status(other.artifact_id)).toBe('quarantined');

    // Writing the missing bytes back under their row restores the artifact.
    await service.ingestBytes({ workspace_id: WS, name: 'gone-again.txt', source_kind: 'api' }, Buffer.from('soon gone'));
    expect(await status(gone.artifact_id)).toBe('ready');
    expect((await service.readText({ workspace_id: WS, artifact_id: gone.artifact_id })).text).toBe('soon gone');
  });

  it('a deleted artifact on a bad blob stays deleted and comes back quarantined on restore; a new version makes a quarantined one ready', async () => {
    const d = await service.ingestBytes({ workspace_id: WS, name: 'd.txt', source_kind: 'api' }, Buffer.from('deleted bytes'));
    const q = await service.ingestBytes({ workspace_id: WS, name: 'q.txt', source_kind: 'api' }, Buffer.from('quarantined bytes'));
    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: d.artifact_id });
    writeFileSync(blobPath(t, WS, d.sha256), Buffer.from('deleted byt3s'));
    writeFileSync(blobPath(t, WS, q.sha256), Buffer.from('quarantined byt3s'));
    expect((await service.verifyBlobs()).quarantined!.sort()).toEqual([d.artifact_id, q.artifact_id].sort());
    expect(await status(d.artifact_id)).toBe('deleted');
    expect((await t.store.artifacts.restore({ workspace_id: WS, artifact_id: d.artifact_id })).status).toBe('quarantined');

    // New bytes as a new version: the current version is intact, so the artifact is ready.
    await service.ingestBytes({ workspace_id: WS, artifact_id: q.artifact_id, name: 'q.txt', source_kind: 'api' }, Buffer.from('fresh bytes'));
    expect(await status(q.artifact_id)).toBe('ready');
    expect((await service.readText({ workspace_id: WS, artifact_id: q.artifact_id })).text).toBe('fresh bytes');
    // The old version's blob is still bad: a verified read of it fails, and the status (the current version's) stays ready.
    const old = await service.read({ workspace_id: WS, artifact_id: q.artifact_id, version_id: q.version_id }, { verify: true });
    await expect(buffer(old.stream)).rejects.toMatchObject({ code: 'integrity_failed' });
    expect(await status(q.artifact_id)).toBe('ready');
  });
});
