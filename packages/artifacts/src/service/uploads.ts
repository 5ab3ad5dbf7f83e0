import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';

export interface PruneUploadsReport {
  /** Expired sessions aborted (their rows) and their temps removed. */
  sessions_expired: number;
  /** Temp directories with no open session (a crash, an aborted or finished session). */
  orphan_temps_removed: number;
}

/** Sessions handled per call, at most (the worker calls again). */
const BATCH = 500;

/**
 * Aborts upload sessions past their expiry and removes their temp files, then removes every
 * temp that no open session owns (what a crash or a missed cleanup left). Run at startup and
 * by the maintenance worker.
 */
export async function pruneExpiredUploads(store: CrudStore, blobs: ArtifactBlobStore, now: Date): Promise<PruneUploadsReport> {
  const report: PruneUploadsReport = { sessions_expired: 0, orphan_temps_removed: 0 };
  const expired = await store.artifacts.expiredUploadSessions({ now: now.toISOString(), limit: BATCH });
  for (const session of expired) {
    await store.artifacts.expireUploadSession({ workspace_id: session.workspace_id, upload_id: session.upload_id });
    await blobs.uploads.remove(session.workspace_id, session.upload_id);
    report.sessions_expired++;
  }
  // A temp made after this read (a session opening now) is younger than the read: left alone.
  const readAt = Date.now() - 60_000;
  const open = new Set((await store.artifacts.openUploadSessions()).map((s) => `${s.workspace_id}/${s.upload_id}`));
  for await (const temp of blobs.uploads.list()) {
    if (open.has(`${temp.workspace_id}/${temp.upload_id}`) || temp.mtime.getTime() > readAt) continue;
    if (await blobs.uploads.remove(temp.workspace_id, temp.upload_id)) report.orphan_temps_removed++;
  }
  return report;
}
