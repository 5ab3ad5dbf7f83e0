import type { ClaimedProjection } from '@cairn/protocol';
import type { CrudStore } from '@cairn/crud';
import type { ArtifactBlobStore } from '../blobs/blob-store.js';
import { PROJECTORS } from '../projections/projectors.js';
import type { ProjectionOutcome } from '../projections/projection-types.js';

export interface ProjectionRunReport {
  claimed: number;
  ready: number;
  skipped: number;
  failed: number;
  /** Workspaces whose projections were recorded (journaled): the gateway wakes their subscribers. */
  workspaces: string[];
}

/** Claims of one projection before it is recorded failed without running again. */
export const MAX_PROJECTION_ATTEMPTS = 3;

/** Longest error text recorded for a failed projection. */
const ERROR_CHARS = 500;

/** One claimed projection computed; never throws (a failure is the outcome). */
async function project(deps: { store: CrudStore; blobs: ArtifactBlobStore }, claim: ClaimedProjection): Promise<ProjectionOutcome> {
  // A claim taken this often never completed: its worker died on it (a crash in a decoder, an
  // OOM kill). Give up instead of letting one file take every worker down again.
  if (claim.attempts > MAX_PROJECTION_ATTEMPTS) return { status: 'failed', error: `gave up after ${claim.attempts - 1} attempts that never finished` };
  try {
    const outcome = await PROJECTORS[claim.kind](
      { workspace_id: claim.workspace_id, sha256: claim.sha256, size_bytes: claim.size_bytes, mime_type: claim.mime_type, name: claim.name },
      deps.blobs,
    );
    // A derived blob (a thumbnail) gets its row before the projection names it: GC then knows it, usage counts it.
    if (outcome.blob_sha256 !== undefined) {
      await deps.store.artifacts.recordBlob({ workspace_id: claim.workspace_id, sha256: outcome.blob_sha256, size_bytes: outcome.blob_size_bytes! });
    }
    return outcome;
  } catch (error) {
    return { status: 'failed', error: String((error as Error)?.message ?? error).slice(0, ERROR_CHARS) };
  }
}

/**
 * Claims pending projection rows and computes each one off the request path. A projection
 * that throws is recorded `failed` with its message: it never fails the artifact, and the
 * others in the batch still run. The store journals each result (`artifact/projection/updated`).
 */
export async function runPendingProjections(
  deps: { store: CrudStore; blobs: ArtifactBlobStore; now: () => Date; owner: string },
  limit: number,
): Promise<ProjectionRunReport> {
  const claims = await deps.store.artifacts.claimPendingProjections({ limit, owner: deps.owner, now: deps.now().toISOString() });
  const report: ProjectionRunReport = { claimed: claims.length, ready: 0, skipped: 0, failed: 0, workspaces: [] };
  const touched = new Set<string>();
  for (const claim of claims) {
    const outcome = await project(deps, claim);
    report[outcome.status]++;
    await deps.store.artifacts.recordProjection({
      workspace_id: claim.workspace_id,
      version_id: claim.version_id,
      kind: claim.kind,
      status: outcome.status,
      ...(outcome.text === undefined ? {} : { text: outcome.text }),
      ...(outcome.blob_sha256 === undefined ? {} : { blob_sha256: outcome.blob_sha256 }),
      ...(outcome.status === 'ready' && outcome.summary !== undefined ? { summary: outcome.summary } : {}),
      ...(outcome.error === undefined ? {} : { error: outcome.error.slice(0, ERROR_CHARS) }),
      owner: deps.owner,
    });
    touched.add(claim.workspace_id);
  }
  report.workspaces = [...touched];
  return report;
}
