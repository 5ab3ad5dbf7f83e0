import {
  ReleaseStaleProjectionParams,
  StaleProjectionsParams,
  type ArtifactProjection,
  type ArtifactProjectionUpdatedPayload,
  type StaleProjection,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { ReadContext, WriteContext } from '../store/store-context.js';
import { normalizeTimestamp } from '../turn-records/record-values.js';
import { requireWorkspace } from '../workspace/workspace-row.js';
import { appendArtifactEvents, type ArtifactDeps, type ArtifactEventInput } from './artifact-deps.js';
import { PROJECTION_COLUMNS, toProjection, type ProjectionRow } from './artifact-rows.js';

/*
 * GC of stale projections. A projection is stale when its artifact was soft-deleted before the
 * cutoff (the GC grace period) and it still is, or will be, holding content: `ready` (inline
 * text, a summary, a thumbnail blob) or `pending` (work not worth doing any more). Projection
 * rows are journaled, so releasing one is an event, never a DELETE behind the journal's back:
 * `artifact.projection_updated` with status `skipped`, no text, summary or blob, and
 * `RELEASED_PROJECTION_ERROR` as its error; the thumbnail blob it named loses its last
 * reference and GC reclaims it as an unreferenced blob row on a later pass. Restoring the
 * artifact queues released projections again (`requeueReleasedProjections`).
 */

/** The error text of a projection GC released: what tells it from one the worker skipped. */
export const RELEASED_PROJECTION_ERROR = 'released by GC: the artifact was deleted longer than the grace period ago';

/**
 * The condition, on an artifact `a` and a projection `pr`, that makes a projection stale at a
 * cutoff (the one `?`). The candidates come from `idx_artifact_deleted` (workspace,
 * deleted_at: NULL while live, so the range reads deleted artifacts only), then versions by
 * `uq_artifact_version_number` (artifact_id, ...) and projections by their primary key. The
 * plan's query joins with CROSS JOIN, which SQLite reads as "in this order" (otherwise it may
 * start from every ready projection of every workspace); PostgreSQL plans it as any inner join.
 */
const STALE = "a.status = 'deleted' AND a.deleted_at < ? AND pr.status IN ('ready', 'pending')";

/** The plan's query: (workspace, cutoff, limit). */
export const STALE_PROJECTIONS_SQL =
  'SELECT a.artifact_id, pr.version_id, pr.kind, pr.status, pr.blob_sha256 FROM artifact a CROSS JOIN artifact_version v CROSS JOIN artifact_projection pr ' +
  `WHERE a.workspace_id = ? AND v.artifact_id = a.artifact_id AND pr.version_id = v.version_id AND ${STALE} ORDER BY a.deleted_at, pr.version_id, pr.kind LIMIT ?`;

/** One workspace's stale projections at `older_than`, oldest deletion first (at most `limit`). */
export async function staleProjections(deps: ArtifactDeps, params: StaleProjectionsParams): Promise<StaleProjection[]> {
  const p = parseParams(StaleProjectionsParams, params, 'artifacts.staleProjections');
  const olderThan = normalizeTimestamp(p.older_than, 'older_than');
  const rows = await deps.context.read(async (q) => {
    await requireWorkspace(q, p.workspace_id);
    return q.all<{ artifact_id: string; version_id: string; kind: string; status: string; blob_sha256: string | null }>(STALE_PROJECTIONS_SQL, [p.workspace_id, olderThan, p.limit]);
  });
  return rows.map((r) => ({
    workspace_id: p.workspace_id,
    artifact_id: r.artifact_id,
    version_id: r.version_id,
    kind: r.kind as StaleProjection['kind'],
    status: r.status as StaleProjection['status'],
    blob_sha256: r.blob_sha256,
    reason: 'artifact_deleted',
  }));
}

/**
 * Releases one projection if, re-checked in this transaction under the workspace's lock
 * (which restore and recordProjection take too), it is still stale at `older_than`: appends
 * `artifact.projection_updated` (`skipped`, no content). False: no longer stale (restored,
 * already released, never existed in the workspace): nothing written.
 */
export async function releaseStaleProjection(deps: ArtifactDeps, params: ReleaseStaleProjectionParams): Promise<boolean> {
  const p = parseParams(ReleaseStaleProjectionParams, params, 'artifacts.releaseStaleProjection');
  const olderThan = normalizeTimestamp(p.older_than, 'older_than');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const row = await ctx.get<ProjectionRow & { thread_id: string | null }>(
      `SELECT ${PROJECTION_COLUMNS.split(', ').map((c) => `pr.${c}`).join(', ')}, a.thread_id FROM artifact_projection pr JOIN artifact a ON a.artifact_id = pr.artifact_id ` +
        `WHERE pr.version_id = ? AND pr.kind = ? AND a.workspace_id = ? AND ${STALE}`,
      [p.version_id, p.kind, p.workspace_id, olderThan],
    );
    if (!row) return false;
    const now = deps.context.now();
    await appendArtifactEvents(ctx, deps, p.workspace_id, [projectionEvent(toProjection(row), { status: 'skipped', error: RELEASED_PROJECTION_ERROR }, row.thread_id, now)]);
    return true;
  });
}

/**
 * The projections of an artifact GC released, queued `pending` again (inside the caller's
 * job, after `artifact.restored`): a restored artifact gets its text and thumbnails back.
 */
export async function requeueReleasedProjections(ctx: WriteContext, deps: ArtifactDeps, artifactId: string, threadId: string | null, now: string): Promise<ArtifactEventInput[]> {
  const rows = await releasedProjections(ctx, artifactId);
  return rows.map((row) => projectionEvent(toProjection(row), { status: 'pending', error: null }, threadId, now));
}

function releasedProjections(q: ReadContext, artifactId: string): Promise<ProjectionRow[]> {
  return q.all<ProjectionRow>(
    `SELECT ${PROJECTION_COLUMNS.split(', ').map((c) => `pr.${c}`).join(', ')} FROM artifact_version v JOIN artifact_projection pr ON pr.version_id = v.version_id ` +
      "WHERE v.artifact_id = ? AND pr.status = 'skipped' AND pr.error = ? ORDER BY pr.version_id, pr.kind",
    [artifactId, RELEASED_PROJECTION_ERROR],
  );
}

function projectionEvent(
  before: ArtifactProjection,
  change: { status: 'skipped' | 'pending'; error: string | null },
  threadId: string | null,
  now: string,
): ArtifactEventInput {
  const projection: ArtifactProjection = { ...before, status: change.status, text: null, blob_sha256: null, summary: null, error: change.error, updated_at: now };
  const payload: ArtifactProjectionUpdatedPayload = { projection };
  return { streamId: before.artifact_id, type: 'artifact.projection_updated', payload, threadId, recordedAt: now };
}
