import type {
  AdvanceUploadSessionParams,
  AdvanceUploadSessionResult,
  Artifact,
  ArtifactBindParams,
  ArtifactBindResult,
  ArtifactBlobRecord,
  ArtifactDeleteParams,
  ArtifactExternalRef,
  ArtifactGetParams,
  ArtifactGetResult,
  ArtifactListEntry,
  ArtifactListMessageParams,
  ArtifactListParams,
  ArtifactListThreadParams,
  ArtifactListTurnParams,
  ArtifactProjection,
  ArtifactQuotas,
  ArtifactRef,
  ArtifactRestoreParams,
  ArtifactUploadSession,
  ArtifactUsage,
  ArtifactVersion,
  ArtifactVersionsParams,
  BlobRefParams,
  BlobRowsParams,
  ClaimPendingProjectionsParams,
  ClaimedProjection,
  CreateUploadSessionParams,
  ExpiredUploadSessionsParams,
  FinishUploadSessionParams,
  GetArtifactVersionParams,
  GetExternalRefParams,
  PageResult,
  PruneExternalRefsParams,
  PutExternalRefParams,
  RecordBlobParams,
  RecordArtifactVersionParams,
  RecordProjectionParams,
  UnreferencedBlobsParams,
  UploadSessionRefParams,
  UsageParams,
} from '@cairn/protocol';
import type { ArtifactDeps } from './artifact-deps.js';
import { blobRows, deleteBlobIfUnreferenced, getBlob, markBlobVerified, recordBlob, unreferencedBlobs } from './artifact-gc.js';
import { deleteArtifact, restoreArtifact } from './artifact-lifecycle.js';
import { repairUsage, type UsageRepairReport } from './artifact-usage.js';
import { claimPendingProjections, recordProjection } from './artifact-projections.js';
import { bindArtifact } from './bind-artifact.js';
import { expiredExternalRefs, getExternalRef, pruneExternalRefs, putExternalRef } from './external-refs.js';
import { artifactUsage, getArtifact, getArtifactVersion, getProjections, listArtifacts, listByMessage, listByThread, listByTurn, listVersions } from './read-artifacts.js';
import { recordVersion } from './record-version.js';
import {
  abortUploadSession,
  advanceUploadSession,
  createUploadSession,
  expireUploadSession,
  expiredUploadSessions,
  finishUploadSession,
  getUploadSession,
  openUploadSessions,
} from './upload-sessions.js';

/**
 * `store.artifacts`: artifact metadata in gateway.db (the bytes are the blob store's, in
 * `@cairn/artifacts`). Artifacts, versions, bindings and projections are journaled on the
 * `artifact` stream and projected by the ArtifactProjector (rebuildable); blob rows, upload
 * sessions, external refs and usage counters are bookkeeping rows. Every method takes its
 * protocol params (validated: `invalid_params`), names its workspace, and answers another
 * workspace's ids exactly like missing ones (`not_found`).
 */
export class ArtifactStore {
  readonly #deps: ArtifactDeps;

  constructor(deps: ArtifactDeps) {
    this.#deps = deps;
  }

  // --- versions --------------------------------------------------------------------------

  /**
   * Records a version whose bytes the blob store already holds, in one transaction: the blob
   * row and usage, the quota check (`quota_exceeded` with `details: { quota, limit, used,
   * requested }`, nothing written), `artifact.created` (no `artifact_id`, or a new one) or
   * `artifact.version_added` (the new version becomes current; old ones stay readable by
   * `version_id`), one `artifact.bound` per binding, `workspace.quota_warning` when usage
   * crosses `quotas.warn_at_fraction`, and pending projection rows. A deleted artifact is
   * `artifact_unavailable`. The same client-chosen `version_id` again answers the first.
   */
  recordVersion(params: RecordArtifactVersionParams): Promise<ArtifactRef> {
    return recordVersion(this.#deps, params);
  }

  /** The artifact with one version (current unless `version_id`) and that version's projections. */
  get(params: ArtifactGetParams): Promise<ArtifactGetResult> {
    return getArtifact(this.#deps.context, params);
  }

  /** One version by id, current or not. */
  getVersion(params: GetArtifactVersionParams): Promise<ArtifactVersion> {
    return getArtifactVersion(this.#deps.context, params);
  }

  /** An artifact's versions, newest first, paginated. */
  versions(params: ArtifactVersionsParams): Promise<PageResult<ArtifactVersion>> {
    return listVersions(this.#deps.context, params);
  }

  // --- listing ----------------------------------------------------------------------------

  /** The workspace's artifacts, newest first, paginated; deleted ones only when asked. */
  list(params: ArtifactListParams): Promise<PageResult<Artifact>> {
    return listArtifacts(this.#deps.context, params);
  }

  /** The thread's bindings with their artifacts, oldest first, by index; a thread that does not exist (a draft) is `not_found`. */
  listByThread(params: ArtifactListThreadParams): Promise<PageResult<ArtifactListEntry>> {
    return listByThread(this.#deps.context, params);
  }

  /** The turn's bindings with their artifacts, oldest first, by index; an unknown turn is `not_found`. */
  listByTurn(params: ArtifactListTurnParams): Promise<PageResult<ArtifactListEntry>> {
    return listByTurn(this.#deps.context, params);
  }

  /** The message's bindings with their artifacts, oldest first, by index. */
  listByMessage(params: ArtifactListMessageParams): Promise<PageResult<ArtifactListEntry>> {
    return listByMessage(this.#deps.context, params);
  }

  /** The workspace's usage: bytes of distinct blobs, files not deleted. */
  usage(params: UsageParams): Promise<ArtifactUsage> {
    return artifactUsage(this.#deps.context, params);
  }

  // --- bindings and lifecycle -----------------------------------------------------------------

  /** Binds an artifact to a scope (`artifact.bound`); the same binding again: `created: false`. */
  bind(params: ArtifactBindParams): Promise<ArtifactBindResult> {
    return bindArtifact(this.#deps, params);
  }

  /** Soft delete (`artifact.deleted`); again: no-op. Bytes stay until GC. */
  delete(params: ArtifactDeleteParams): Promise<Artifact> {
    return deleteArtifact(this.#deps, params);
  }

  /** Undoes a soft delete (`artifact.restored`), checked against the files quota (`options.quotas`, default the protocol's). */
  restore(params: ArtifactRestoreParams, options: { quotas?: ArtifactQuotas } = {}): Promise<Artifact> {
    return restoreArtifact(this.#deps, params, options);
  }

  // --- projections ---------------------------------------------------------------------------

  /** Claims up to `limit` pending projections for `owner` (a lease, default 5 minutes), oldest first. */
  claimPendingProjections(params: ClaimPendingProjectionsParams): Promise<ClaimedProjection[]> {
    return claimPendingProjections(this.#deps, params);
  }

  /** Records a projection's outcome (`artifact.projection_updated`); never changes the artifact. */
  recordProjection(params: RecordProjectionParams): Promise<ArtifactProjection> {
    return recordProjection(this.#deps, params);
  }

  /** A version's projections, by kind. */
  getProjections(params: GetArtifactVersionParams): Promise<ArtifactProjection[]> {
    return getProjections(this.#deps.context, params);
  }

  // --- provider external refs ------------------------------------------------------------------

  /** Records (or replaces) where a provider holds a copy, under its cache key. */
  putExternalRef(params: PutExternalRefParams): Promise<ArtifactExternalRef> {
    return putExternalRef(this.#deps.context, params);
  }

  /** The copy under exactly this key, or null; expired ones are ignored. */
  getExternalRef(params: GetExternalRefParams): Promise<ArtifactExternalRef | null> {
    return getExternalRef(this.#deps.context, params);
  }

  /** Expired refs at `now` (what a GC plan lists). */
  expiredExternalRefs(params: PruneExternalRefsParams): Promise<ArtifactExternalRef[]> {
    return expiredExternalRefs(this.#deps.context, params);
  }

  /** Deletes refs expired at `now` (at most `limit`, default 1000). */
  pruneExternalRefs(params: PruneExternalRefsParams): Promise<{ pruned: number }> {
    return pruneExternalRefs(this.#deps.context, params);
  }

  // --- upload sessions (rows only; the bytes are the blob store's) --------------------------------

  /** Declares an upload (`open`), its declared size checked against the quotas first. */
  createUploadSession(params: CreateUploadSessionParams): Promise<ArtifactUploadSession> {
    return createUploadSession(this.#deps.context, params);
  }

  getUploadSession(params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
    return getUploadSession(this.#deps.context, params);
  }

  /** Compare-and-set on the received offset (`{ ok: false, reason, session }` when it lost); past expiry: `session_expired`. */
  advanceUploadSession(params: AdvanceUploadSessionParams): Promise<AdvanceUploadSessionResult> {
    return advanceUploadSession(this.#deps.context, params);
  }

  /** Marks it finished as the version it became (record the version first). */
  finishUploadSession(params: FinishUploadSessionParams): Promise<ArtifactUploadSession> {
    return finishUploadSession(this.#deps.context, params);
  }

  abortUploadSession(params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
    return abortUploadSession(this.#deps.context, params);
  }

  /** Marks an open session expired (after its temp bytes were removed). */
  expireUploadSession(params: UploadSessionRefParams): Promise<ArtifactUploadSession> {
    return expireUploadSession(this.#deps.context, params);
  }

  /** Open sessions past their expiry at `now`, soonest first. */
  expiredUploadSessions(params: ExpiredUploadSessionsParams): Promise<ArtifactUploadSession[]> {
    return expiredUploadSessions(this.#deps.context, params);
  }

  /** Every open session (at most `limit`, default 10,000). */
  openUploadSessions(params: { limit?: number } = {}): Promise<ArtifactUploadSession[]> {
    return openUploadSessions(this.#deps.context, params);
  }

  // --- GC support ------------------------------------------------------------------------------

  /** Blob rows older than `older_than` that nothing references: candidates. */
  unreferencedBlobs(params: UnreferencedBlobsParams): Promise<ArtifactBlobRecord[]> {
    return unreferencedBlobs(this.#deps.context, params);
  }

  /** Deletes the blob row if, re-checked in the same transaction, no version, open upload session or projection references it. */
  deleteBlobIfUnreferenced(params: BlobRefParams): Promise<boolean> {
    return deleteBlobIfUnreferenced(this.#deps.context, params);
  }

  /** A page of blob rows in (workspace, sha256) order after `after`. */
  blobRows(params: BlobRowsParams = {}): Promise<ArtifactBlobRecord[]> {
    return blobRows(this.#deps.context, params);
  }

  /** Registers bytes no version names yet (a thumbnail) so GC knows them and usage counts them. */
  recordBlob(params: RecordBlobParams): Promise<{ blob: ArtifactBlobRecord; created: boolean }> {
    return recordBlob(this.#deps, params);
  }

  getBlob(params: BlobRefParams): Promise<ArtifactBlobRecord | null> {
    return getBlob(this.#deps.context, params);
  }

  /** Recomputes usage counters that disagree with their rows; `{ detected, repaired, remaining }` (workspaces). */
  repairUsage(): Promise<UsageRepairReport> {
    return repairUsage(this.#deps.context);
  }

  /** Stamps a blob row verified (after a re-hash found it intact). */
  markBlobVerified(params: BlobRefParams & { verified_at?: string }): Promise<boolean> {
    return markBlobVerified(this.#deps.context, params);
  }
}
