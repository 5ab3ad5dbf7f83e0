import {
  ArtifactDeleteParams,
  ArtifactRestoreParams,
  type Artifact,
  type ArtifactDeletedPayload,
  type ArtifactQuotas,
  type ArtifactRestoredPayload,
  type ArtifactStatus,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendArtifactEvents, type ArtifactDeps } from './artifact-deps.js';
import { requireArtifact, toArtifact } from './artifact-rows.js';
import { addUsage, checkUsageChange, quotasOf, readUsage } from './artifact-usage.js';

/**
 * Soft delete: `artifact.deleted`, status `deleted` (the status it had is kept for restore),
 * the files counter down by one. The bytes stay until GC reclaims blobs no version
 * references; versions, bindings and projections stay. Deleting a deleted one: no-op.
 */
export async function deleteArtifact(deps: ArtifactDeps, params: ArtifactDeleteParams): Promise<Artifact> {
  const p = parseParams(ArtifactDeleteParams, params, 'artifacts.delete');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireArtifact(ctx, p.workspace_id, p.artifact_id);
    if (row.status === 'deleted') return toArtifact(row);
    const now = deps.context.now();
    const artifact: Artifact = { ...toArtifact(row), status: 'deleted', deleted_at: now, updated_at: now };
    const payload: ArtifactDeletedPayload = { artifact };
    await addUsage(ctx, p.workspace_id, 0, -1, now);
    await appendArtifactEvents(ctx, deps, p.workspace_id, [{ streamId: row.artifact_id, type: 'artifact.deleted', payload, threadId: row.thread_id, recordedAt: now }]);
    return artifact;
  });
}

/**
 * Undoes a soft delete: `artifact.restored`, back to the status the delete replaced. It counts
 * against the files quota again (`quota_exceeded`, nothing written; a warning when it crosses
 * the threshold). A live artifact: no-op.
 */
export async function restoreArtifact(deps: ArtifactDeps, params: ArtifactRestoreParams, options: { quotas?: ArtifactQuotas } = {}): Promise<Artifact> {
  const p = parseParams(ArtifactRestoreParams, params, 'artifacts.restore');
  const quotas = quotasOf(options.quotas);
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await requireArtifact(ctx, p.workspace_id, p.artifact_id);
    if (row.status !== 'deleted') return toArtifact(row);
    const now = deps.context.now();
    const warnings = checkUsageChange(quotas, await readUsage(ctx, p.workspace_id), { bytes: 0, files: 1 }, now);
    const artifact: Artifact = { ...toArtifact(row), status: (row.restore_status ?? 'ready') as ArtifactStatus, deleted_at: null, updated_at: now };
    const payload: ArtifactRestoredPayload = { change: 'restored', artifact };
    await addUsage(ctx, p.workspace_id, 0, 1, now);
    await appendArtifactEvents(ctx, deps, p.workspace_id, [{ streamId: row.artifact_id, type: 'artifact.restored', payload, threadId: row.thread_id, recordedAt: now }, ...warnings]);
    return artifact;
  });
}
