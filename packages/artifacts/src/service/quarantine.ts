import { PassThrough, type Readable } from 'node:stream';
import type { Artifact } from '@cairn/protocol';
import { hasErrorCode } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore, OpenOptions } from '../blobs/blob-store.js';
import { artifactError } from '../errors.js';

/** What the quarantine steps need: the store, the blobs, and who hears of a journaled change. */
export interface QuarantineDeps {
  store: CrudStore;
  blobs: ArtifactBlobStore;
  /** After a quarantine or its release committed (journaled): the gateway wakes the workspace's subscribers. */
  onCommitted?: (workspaceId: string) => void;
}

/** A quarantined artifact is kept but never served: `artifact_unavailable` with `details.status`. */
export function assertServable(artifact: Artifact): void {
  if (artifact.status === 'quarantined') {
    throw artifactError('artifact_unavailable', 'the artifact is quarantined: its stored bytes failed verification', {
      artifact_id: artifact.artifact_id,
      status: artifact.status,
      sha256: artifact.sha256,
    });
  }
}

/** Quarantines the artifacts whose current version is on the blob; answers their ids. */
export async function quarantine(deps: QuarantineDeps, workspaceId: string, sha256: string, reason: 'blob_missing' | 'blob_corrupt'): Promise<string[]> {
  const changed = await deps.store.artifacts.quarantineBlob({ workspace_id: workspaceId, sha256, reason });
  if (changed.length > 0) deps.onCommitted?.(workspaceId);
  return changed.map((a) => a.artifact_id);
}

/** The blob is intact again: the artifacts quarantined on it are `ready` again. */
export async function releaseQuarantine(deps: QuarantineDeps, workspaceId: string, sha256: string): Promise<string[]> {
  const changed = await deps.store.artifacts.releaseQuarantine({ workspace_id: workspaceId, sha256 });
  if (changed.length > 0) deps.onCommitted?.(workspaceId);
  return changed.map((a) => a.artifact_id);
}

/**
 * Opens a version's blob; what the open or a verified read finds wrong quarantines the
 * artifacts on that blob before the error reaches the caller: a missing file answers
 * `artifact_unavailable` (`status: 'quarantined'`, `reason: 'blob_missing'`), a corrupt one
 * (verified) ends the stream with `integrity_failed` once the quarantine committed.
 */
export async function openChecked(deps: QuarantineDeps, workspaceId: string, sha256: string, options: OpenOptions = {}): Promise<Readable> {
  let source: Readable;
  try {
    source = await deps.blobs.open(workspaceId, sha256, options);
  } catch (error) {
    if (hasErrorCode(error, 'not_found')) {
      await quarantine(deps, workspaceId, sha256, 'blob_missing');
      throw artifactError('artifact_unavailable', "the artifact's stored bytes are missing: it is quarantined", { status: 'quarantined', sha256, reason: 'blob_missing' }, error);
    }
    if (hasErrorCode(error, 'integrity_failed')) await quarantine(deps, workspaceId, sha256, 'blob_corrupt');
    throw error;
  }
  if (options.verify !== true) return source;
  const out = new PassThrough();
  source.once('error', (error: unknown) => {
    void (async () => {
      if (hasErrorCode(error, 'integrity_failed')) await quarantine(deps, workspaceId, sha256, 'blob_corrupt').catch(() => undefined);
      out.destroy(error as Error);
    })();
  });
  out.once('close', () => source.destroy());
  source.pipe(out);
  return out;
}
