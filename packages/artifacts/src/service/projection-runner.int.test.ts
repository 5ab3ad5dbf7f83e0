import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { imageOf, minimalPdf } from '../testing/fixtures.js';
import { ArtifactService } from './artifact-service.js';
import { openTempService, type TempService } from '../testing/temp-service.js';

const WS = 'ws_proj';

describe('runPendingProjections on real files', () => {
  let t: TempService;
  beforeEach(async () => {
    t = await openTempService();
    await t.store.workspaces.create({ workspace_id: WS, name: 'p' });
  });
  afterEach(async () => t.cleanup());

  const ingest = (name: string, mime_type: string, bytes: Buffer) => t.service.ingestBytes({ workspace_id: WS, name, mime_type, source_kind: 'api' }, bytes);
  const projections = async (version_id: string) => Object.fromEntries((await t.store.artifacts.getProjections({ workspace_id: WS, version_id })).map((p) => [p.kind, p]));

  it('derives every kind: plain_text, thumbnail (PNG and JPEG), json_summary, pdf_text; failures never fail the artifact', async () => {
    const text = await ingest('notes.txt', 'text/plain', Buffer.from('héllo wörld'));
    const json = await ingest('data.json', 'application/json', Buffer.from('{"rows":[{"id":1}],"ok":true}'));
    const png = await ingest('pic.png', 'image/png', await imageOf('png', 300, 200));
    const jpeg = await ingest('photo.jpg', 'image/jpeg', await imageOf('jpeg', 200, 400));
    const pdf = await ingest('paper.pdf', 'application/pdf', minimalPdf(['Findings of the study']));
    const broken = await ingest('broken.png', 'image/png', Buffer.from('this is not a png'));

    let total = 0;
    for (let i = 0; i < 10; i++) {
      const report = await t.service.runPendingProjections({ limit: 3 });
      total += report.claimed;
      if (report.claimed === 0) break;
      expect(report.workspaces).toEqual([WS]);
    }
    // text: plain_text (1); json: plain_text + json_summary (2); 3 images: thumbnail (3); pdf: pdf_text (1).
    expect(total).toBe(7);

    expect((await projections(text.version_id))['plain_text']).toMatchObject({ status: 'ready', text: 'héllo wörld' });
    const j = await projections(json.version_id);
    expect(j['plain_text']).toMatchObject({ status: 'ready' });
    expect(j['json_summary']).toMatchObject({ status: 'ready', summary: { type: 'object', key_count: 2 } });
    for (const [ref, width, height] of [[png, 256, 171], [jpeg, 128, 256]] as const) {
      const thumb = (await projections(ref.version_id))['thumbnail']!;
      expect(thumb.status).toBe('ready');
      const bytes = await buffer(await t.blobs.open(WS, thumb.blob_sha256!, { verify: true }));
      const meta = await sharp(bytes).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', width, height]);
    }
    expect((await projections(pdf.version_id))['pdf_text']).toMatchObject({ status: 'ready' });
    expect(await t.service.readText({ workspace_id: WS, artifact_id: pdf.artifact_id })).toMatchObject({ source: 'pdf_text', text: expect.stringContaining('Findings of the study') });

    expect((await projections(broken.version_id))['thumbnail']).toMatchObject({ status: 'failed', error: expect.any(String) });
    const { artifact } = await t.store.artifacts.get({ workspace_id: WS, artifact_id: broken.artifact_id });
    expect(artifact.status).toBe('ready');
  }, 60_000);

  it('a thumbnail blob is referenced by its projection: GC keeps it', async () => {
    const png = await ingest('pic.png', 'image/png', await imageOf('png', 64, 64));
    await t.service.runPendingProjections();
    const thumb = (await projections(png.version_id))['thumbnail']!;
    const later = new Date(Date.now() + 48 * 3_600_000);
    const plan = await t.service.gcPlan({ now: later });
    expect(plan.orphan_blobs).toEqual([]);
    await t.service.gcExecute(plan, { now: later });
    expect(await t.blobs.verify(WS, thumb.blob_sha256!)).toBe('ok');
  });

  it('gives up on a projection whose claims never finished (its worker died on it), recording it failed without running it', async () => {
    const ref = await ingest('poison.txt', 'text/plain', Buffer.from('fine text, but pretend it crashes the decoder'));
    const t0 = Date.now();
    // Three workers claimed it and died: each claim expired without an outcome.
    for (let i = 1; i <= 3; i++) {
      const claimed = await t.store.artifacts.claimPendingProjections({ limit: 10, owner: `dead-worker-${i}`, lease_ms: 60_000, now: new Date(t0 + i * 600_000).toISOString() });
      expect(claimed.map((c) => c.attempts)).toEqual([i]);
    }
    const late = new ArtifactService({ store: t.store, blobs: t.blobs, settings: t.service.settings, clock: () => new Date(t0 + 3_600_000) });
    expect(await late.runPendingProjections()).toMatchObject({ claimed: 1, failed: 1, ready: 0 });
    expect((await projections(ref.version_id))['plain_text']).toMatchObject({ status: 'failed', error: 'gave up after 3 attempts that never finished', text: null });
  });
});

