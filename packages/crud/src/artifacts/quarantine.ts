import {
  QuarantineBlobParams,
  type Artifact,
  type ArtifactQuarantineReleasedPayload,
  type ArtifactQuarantinedPayload,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { WriteContext } from '../store/store-context.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { appendArtifactEvents, type ArtifactDeps, type ArtifactEventInput } from './artifact-deps.js';
import { ARTIFACT_COLUMNS, toArtifact, type ArtifactRow } from './artifact-rows.js';

/*
 * Quarantine. An artifact's status speaks for its current version: when that version's blob
 * is found missing or corrupt (a verified read, `verifyBlobs`), every artifact of the workspace
 * whose current version is on that blob becomes `quarantined` (`artifact.quarantined`; a
 * deleted one keeps `deleted` and comes back quarantined on restore). When the same bytes are
 * stored again intact (re-ingested), `releaseQuarantine` puts them back to `ready`
 * (`artifact.quarantine_released`). Both journaled: notifications `artifact/updated`, and a
 * rebuild replays them. Older versions on a bad blob do not change the status (their verified
 * reads fail with `integrity_failed`; `verifyBlobs` reports them).
 */

/** Artifacts of the workspace whose current version is on the blob (by `idx_artifact_version_blob`, then the artifact by key). */
function onBlob(ctx: WriteContext, workspaceId: string, sha256: string): Promise<ArtifactRow[]> {
  return ctx.all<ArtifactRow>(
    `SELECT ${ARTIFACT_COLUMNS.split(', ').map((c) => `a.${c}`).join(', ')} FROM artifact_version v CROSS JOIN artifact a ` +
      'WHERE v.workspace_id = ? AND v.sha256 = ? AND a.artifact_id = v.artifact_id AND a.current_version_id = v.version_id ORDER BY a.artifact_id',
    [workspaceId, sha256],
  );
}

const effective = (row: ArtifactRow) => (row.status === 'deleted' ? (row.restore_status ?? 'ready') : row.status);

async function change(deps: ArtifactDeps, params: QuarantineBlobParams, to: 'quarantined' | 'ready'): Promise<Artifact[]> {
  const p = parseParams(QuarantineBlobParams, params, to === 'quarantined' ? 'artifacts.quarantineBlob' : 'artifacts.releaseQuarantine');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireWorkspace(ctx, p.workspace_id);
    const from = to === 'quarantined' ? 'ready' : 'quarantined';
    const rows = (await onBlob(ctx, p.workspace_id, p.sha256)).filter((r) => effective(r) === from);
    const now = deps.context.now();
    const changed: Artifact[] = [];
    const events: ArtifactEventInput[] = rows.map((row) => {
      const artifact: Artifact = { ...toArtifact(row), status: row.status === 'deleted' ? 'deleted' : to, updated_at: now };
      changed.push(artifact);
      const payload: ArtifactQuarantinedPayload | ArtifactQuarantineReleasedPayload =
        to === 'quarantined'
          ? { change: 'quarantined', artifact, sha256: p.sha256, reason: p.reason ?? 'blob_corrupt' }
          : { change: 'quarantine_released', artifact, sha256: p.sha256 };
      return { streamId: row.artifact_id, type: to === 'quarantined' ? 'artifact.quarantined' : 'artifact.quarantine_released', payload, threadId: row.thread_id, recordedAt: now };
    });
    await appendArtifactEvents(ctx, deps, p.workspace_id, events);
    return changed;
  });
}

/** Quarantines every `ready` artifact of the workspace whose current version is on the blob; answers those it changed. */
export function quarantineBlob(deps: ArtifactDeps, params: QuarantineBlobParams): Promise<Artifact[]> {
  return change(deps, params, 'quarantined');
}

/** Puts every artifact quarantined on the blob back to `ready` (call after storing the bytes again intact); answers those it changed. */
export function releaseQuarantine(deps: ArtifactDeps, params: Omit<QuarantineBlobParams, 'reason'>): Promise<Artifact[]> {
  return change(deps, params, 'ready');
}
