import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { imageOf } from '../testing/fixtures.js';
import { openTempService, type TempService } from '../testing/temp-service.js';

const WS = 'ws_stale';
const OTHER = 'ws_stale_other';
const HOUR = 3_600_000;

// GC of stale projections (SQLite, then PostgreSQL): the projections of an artifact deleted
// longer ago than the grace period are released through the journal (no text, no blob), the
// thumbnail blob they held is reclaimed by a later pass, live artifacts are never touched, a
// restore between plan and execute keeps them, and a rebuild gives the same rows.

describe('ArtifactService GC: stale projections', () => {
  let t: TempService;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'stale' });
    await t.store.workspaces.create({ workspace_id: OTHER, name: 'other' });
  });
  afterEach(async () => t.cleanup());

  const at = (hours: number) => new Date(Date.now() + hours * HOUR);
  const projections = async (ws: string, version_id: string) => Object.fromEntries((await t.store.artifacts.getProjections({ workspace_id: ws, version_id })).map((p) => [p.kind, p]));
  // The summary as JSON (the journal keeps its payload canonical, so a replay may order keys differently).
  const projectionRows = async () =>
    (
      await t.store.context.read((q) =>
        q.all<{ summary: string | null }>('SELECT version_id, kind, artifact_id, workspace_id, status, text, blob_sha256, summary, error, created_at, updated_at FROM artifact_projection ORDER BY version_id, kind'),
      )
    ).map((r) => ({ ...r, summary: r.summary === null ? null : (JSON.parse(r.summary) as unknown) }));
  async function drain(): Promise<void> {
    for (let i = 0; i < 10 && (await t.service.runPendingProjections()).claimed > 0; i++);
  }

  it('plans, releases through the journal and later reclaims the thumbnail of a long-deleted artifact; live ones untouched; rebuild agrees', async () => {
    const doomed = await t.service.ingestBytes({ workspace_id: WS, name: 'doomed.png', source_kind: 'api' }, await imageOf('png', 400, 300));
    const notes = await t.service.ingestBytes({ workspace_id: WS, name: 'doomed-notes.md', source_kind: 'api' }, Buffer.from('# gone soon\n'));
    const live = await t.service.ingestBytes({ workspace_id: WS, name: 'live.png', source_kind: 'api' }, await imageOf('png', 300, 500));
    const elsewhere = await t.service.ingestBytes({ workspace_id: OTHER, name: 'other.md', source_kind: 'api' }, Buffer.from('# other workspace\n'));
    await drain();
    const thumb = (await projections(WS, doomed.version_id))['thumbnail']!;
    expect(thumb).toMatchObject({ status: 'ready', blob_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // Resized, so the thumbnail is bytes of its own (a small PNG's thumbnail can be the file itself).
    expect(thumb.blob_sha256).not.toBe(doomed.sha256);
    const liveBefore = await projections(WS, live.version_id);
    const otherBefore = await projections(OTHER, elsewhere.version_id);

    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: doomed.artifact_id });
    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: notes.artifact_id });

    // Within the grace period: nothing is stale.
    expect((await t.service.gcPlan({ now: at(1) })).stale_projections).toEqual([]);

    const plan = await t.service.gcPlan({ now: at(25) });
    expect(plan.stale_projections).toEqual(
      expect.arrayContaining([
        { workspace_id: WS, artifact_id: doomed.artifact_id, version_id: doomed.version_id, kind: 'thumbnail', status: 'ready', blob_sha256: thumb.blob_sha256, reason: 'artifact_deleted' },
        { workspace_id: WS, artifact_id: notes.artifact_id, version_id: notes.version_id, kind: 'plain_text', status: 'ready', blob_sha256: null, reason: 'artifact_deleted' },
      ]),
    );
    expect(plan.stale_projections).toHaveLength(2);
    // The thumbnail blob is still referenced by its projection: not an orphan yet.
    expect(plan.orphan_blobs.map((o) => o.sha256)).not.toContain(thumb.blob_sha256);

    const journalBefore = await t.store.context.read((q) => q.get<{ n: number }>("SELECT count(*) AS n FROM journal_event WHERE type = 'artifact.projection_updated'"));
    const report = await t.service.gcExecute(plan, { now: at(25) });
    expect(report).toMatchObject({ projections_released: 2, projections_kept: 0, workspaces: [WS] });
    const journalAfter = await t.store.context.read((q) => q.get<{ n: number }>("SELECT count(*) AS n FROM journal_event WHERE type = 'artifact.projection_updated'"));
    expect(Number(journalAfter!.n) - Number(journalBefore!.n)).toBe(2);

    expect((await projections(WS, doomed.version_id))['thumbnail']).toMatchObject({ status: 'skipped', text: null, blob_sha256: null, summary: null, error: expect.stringMatching(/^released by GC/) });
    expect((await projections(WS, notes.version_id))['plain_text']).toMatchObject({ status: 'skipped', text: null });
    // Live artifacts (this workspace and the other) keep theirs exactly.
    expect(await projections(WS, live.version_id)).toEqual(liveBefore);
    expect(await projections(OTHER, elsewhere.version_id)).toEqual(otherBefore);
    // The deleted artifacts' own bytes stay (a version still holds them; restore stays possible).
    expect(await t.blobs.verify(WS, doomed.sha256)).toBe('ok');

    // A second plan: nothing stale left, and the freed thumbnail is an orphan row past the grace period.
    const next = await t.service.gcPlan({ now: at(25) });
    expect(next.stale_projections).toEqual([]);
    expect(next.orphan_blobs).toEqual([expect.objectContaining({ workspace_id: WS, sha256: thumb.blob_sha256, reason: 'unreferenced_row' })]);
    const usageBefore = await t.store.artifacts.usage({ workspace_id: WS });
    expect(await t.service.gcExecute(next, { now: at(25) })).toMatchObject({ blobs_deleted: 1, projections_released: 0 });
    expect(await t.blobs.stat(WS, thumb.blob_sha256!)).toBeUndefined();
    expect((await t.store.artifacts.usage({ workspace_id: WS })).bytes).toBeLessThan(usageBefore.bytes);
    expect(await t.blobs.verify(WS, live.sha256)).toBe('ok');
    expect(await t.blobs.verify(WS, liveBefore['thumbnail']!.blob_sha256!)).toBe('ok');

    // The read models rebuild from the journal to the same projection rows.
    const rows = await projectionRows();
    const rebuilt = await t.store.repair.rebuild();
    expect(rebuilt.violations).toEqual([]);
    expect(await projectionRows()).toEqual(rows);
  }, 60_000);

  it('re-checks at execution: an artifact restored after the plan keeps its projections; a restore queues released ones again', async () => {
    const a = await t.service.ingestBytes({ workspace_id: WS, name: 'a.md', source_kind: 'api' }, Buffer.from('# a\n'));
    const b = await t.service.ingestBytes({ workspace_id: WS, name: 'b.md', source_kind: 'api' }, Buffer.from('# b\n'));
    await drain();
    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: a.artifact_id });
    await t.store.artifacts.delete({ workspace_id: WS, artifact_id: b.artifact_id });
    const plan = await t.service.gcPlan({ now: at(25) });
    expect(plan.stale_projections.map((p) => p.artifact_id).sort()).toEqual([a.artifact_id, b.artifact_id].sort());

    await t.store.artifacts.restore({ workspace_id: WS, artifact_id: a.artifact_id });
    const report = await t.service.gcExecute(plan, { now: at(25) });
    expect(report).toMatchObject({ projections_released: 1, projections_kept: 1 });
    expect((await projections(WS, a.version_id))['plain_text']).toMatchObject({ status: 'ready', text: '# a\n' });
    expect((await projections(WS, b.version_id))['plain_text']).toMatchObject({ status: 'skipped', text: null });

    // Restoring b queues its released projection again; the worker derives it anew.
    await t.store.artifacts.restore({ workspace_id: WS, artifact_id: b.artifact_id });
    expect((await projections(WS, b.version_id))['plain_text']).toMatchObject({ status: 'pending', error: null });
    await drain();
    expect((await projections(WS, b.version_id))['plain_text']).toMatchObject({ status: 'ready', text: '# b\n' });
    expect((await t.service.gcPlan({ now: at(25) })).stale_projections).toEqual([]);
  }, 60_000);

  it('a thumbnail a re-run superseded is an unreferenced blob, reclaimed after the grace period', async () => {
    const pic = await t.service.ingestBytes({ workspace_id: WS, name: 'pic.png', source_kind: 'api' }, await imageOf('png', 320, 320));
    await drain();
    const first = (await projections(WS, pic.version_id))['thumbnail']!.blob_sha256!;
    expect(first).not.toBe(pic.sha256);
    // A re-run (a newer projector) stores another thumbnail and records it: the first loses its reference.
    const put = await t.blobs.put(WS, await imageOf('png', 32, 32));
    await t.store.artifacts.recordBlob({ workspace_id: WS, sha256: put.sha256, size_bytes: put.size_bytes });
    await t.store.artifacts.recordProjection({ workspace_id: WS, version_id: pic.version_id, kind: 'thumbnail', status: 'ready', blob_sha256: put.sha256 });
    expect((await t.service.gcPlan({ now: at(1) })).orphan_blobs).toEqual([]);
    const plan = await t.service.gcPlan({ now: at(25) });
    expect(plan.orphan_blobs.map((o) => o.sha256)).toEqual([first]);
    expect(plan.stale_projections).toEqual([]);
    expect(await t.service.gcExecute(plan, { now: at(25) })).toMatchObject({ blobs_deleted: 1 });
    expect(await t.blobs.stat(WS, first)).toBeUndefined();
    expect(await t.blobs.verify(WS, put.sha256)).toBe('ok');
  }, 60_000);
});
