import { Type, type Static, type TSchema } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId, idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { Sha256 } from '../turn-records/turn-record-common.js';
import {
  ArtifactBindingInput,
  ArtifactId,
  ArtifactKind,
  ArtifactMediaType,
  ArtifactName,
  ArtifactQuotas,
  ArtifactSize,
  ArtifactSourceKind,
  ArtifactVersionId,
  ProjectionKind,
  UploadSessionId,
} from './artifact.js';

/*
 * What crud's `ArtifactStore` takes beyond the wire methods: the service-side operations
 * (recording versions, projections, external refs, upload sessions, GC). Never on the wire
 * as such; the gateway's transfer and artifact handlers build them from their own params.
 */

const strict = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const OwnerId = idSchema('The process or worker claiming the work.');

/**
 * Records a version whose bytes the blob store already holds: a new artifact when
 * `artifact_id` is absent (or names none yet: a client-chosen id), else a new version of it,
 * which becomes current. One transaction with its bindings and quota check.
 */
export const RecordArtifactVersionParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    artifact_id: Type.Optional(ArtifactId),
    /** Client-chosen version id; generated when absent. */
    version_id: Type.Optional(ArtifactVersionId),
    sha256: Sha256,
    size_bytes: ArtifactSize,
    name: ArtifactName,
    mime_type: ArtifactMediaType,
    kind: ArtifactKind,
    source_kind: ArtifactSourceKind,
    bindings: Type.Optional(Type.Array(ArtifactBindingInput, { maxItems: LIMITS.artifact.bindingsPerCall })),
    /** Default `DEFAULT_ARTIFACT_QUOTAS`; the service passes the gateway's `[quotas]`. */
    quotas: Type.Optional(ArtifactQuotas),
    /** Projection rows queued `pending` for this version; default: the kinds that apply to its kind and type. */
    projections: Type.Optional(Type.Array(ProjectionKind, { maxItems: 8 })),
    /** Idempotency: the same key again answers the first version and writes nothing. */
    idempotency_key: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.turn.idempotencyKeyLength })),
  },
  strict,
);
export type RecordArtifactVersionParams = Static<typeof RecordArtifactVersionParams>;

export const GetArtifactVersionParams = Type.Object({ workspace_id: WorkspaceId, version_id: ArtifactVersionId }, strict);
export type GetArtifactVersionParams = Static<typeof GetArtifactVersionParams>;

export const UsageParams = Type.Object({ workspace_id: WorkspaceId }, strict);
export type UsageParams = Static<typeof UsageParams>;

/** Claims up to `limit` pending projections whose claim is free or expired, oldest first. */
export const ClaimPendingProjectionsParams = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 500 }),
    owner: OwnerId,
    now: Type.Optional(Timestamp),
    /** How long the claim holds; default 5 minutes. */
    lease_ms: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.turnRecords.leaseMaxMs })),
    workspace_id: Type.Optional(WorkspaceId),
    kinds: Type.Optional(Type.Array(ProjectionKind, { minItems: 1, maxItems: 8 })),
  },
  strict,
);
export type ClaimPendingProjectionsParams = Static<typeof ClaimPendingProjectionsParams>;

/** A claimed projection: which version to derive it from, and the version's bytes' address. */
export const ClaimedProjection = Type.Object(
  {
    workspace_id: WorkspaceId,
    artifact_id: ArtifactId,
    version_id: ArtifactVersionId,
    kind: ProjectionKind,
    sha256: Sha256,
    size_bytes: ArtifactSize,
    mime_type: ArtifactMediaType,
    artifact_kind: ArtifactKind,
    name: ArtifactName,
    attempts: Type.Integer({ minimum: 1 }),
    claim_expires_at: Timestamp,
  },
);
export type ClaimedProjection = Static<typeof ClaimedProjection>;

/** The outcome of one projection (journaled `artifact.projection_updated`). */
export const RecordProjectionParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    version_id: ArtifactVersionId,
    kind: ProjectionKind,
    status: Type.Union([Type.Literal('ready'), Type.Literal('failed'), Type.Literal('skipped')]),
    text: Type.Optional(Type.String()),
    blob_sha256: Type.Optional(Sha256),
    summary: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.errorMessageLength })),
    /** The claimant, when it claimed the row: a claim another owner took over since is `conflict`. */
    owner: Type.Optional(OwnerId),
  },
  strict,
);
export type RecordProjectionParams = Static<typeof RecordProjectionParams>;

export const TransportKind = Type.Union([Type.Literal('file_id'), Type.Literal('url'), Type.Literal('inline'), Type.Literal('upload')], {
  description: 'How the provider holds the file: its own file id, a URL, inline bytes it cached, an upload handle.',
});
export type TransportKind = Static<typeof TransportKind>;

const ProviderName = Type.String({ minLength: 1, maxLength: LIMITS.artifact.providerLength, pattern: '^[a-z0-9][a-z0-9_.-]*$' });

/** The cache key of a provider external ref (workspace, artifact, version?, provider, model family?, transport). */
export const ExternalRefKey = Type.Object(
  {
    workspace_id: WorkspaceId,
    artifact_id: ArtifactId,
    version_id: Type.Optional(ArtifactVersionId),
    provider: ProviderName,
    model_family: Type.Optional(ProviderName),
    transport_kind: TransportKind,
  },
  strict,
);
export type ExternalRefKey = Static<typeof ExternalRefKey>;

/** Where a provider already holds a copy of the artifact (so it is not uploaded again), until `expires_at`. */
export const PutExternalRefParams = Type.Object(
  {
    ...ExternalRefKey.properties,
    external_id: Type.String({ minLength: 1, maxLength: LIMITS.artifact.externalIdLength }),
    expires_at: Type.Optional(Timestamp),
  },
  strict,
);
export type PutExternalRefParams = Static<typeof PutExternalRefParams>;

export const GetExternalRefParams = Type.Object({ ...ExternalRefKey.properties, now: Type.Optional(Timestamp) }, strict);
export type GetExternalRefParams = Static<typeof GetExternalRefParams>;

export const ArtifactExternalRef = Type.Object(
  {
    workspace_id: WorkspaceId,
    artifact_id: ArtifactId,
    version_id: nullable(ArtifactVersionId),
    provider: ProviderName,
    model_family: nullable(ProviderName),
    transport_kind: TransportKind,
    external_id: Type.String(),
    created_at: Timestamp,
    expires_at: nullable(Timestamp),
  },
);
export type ArtifactExternalRef = Static<typeof ArtifactExternalRef>;

export const PruneExternalRefsParams = Type.Object({ now: Timestamp, limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })) }, strict);
export type PruneExternalRefsParams = Static<typeof PruneExternalRefsParams>;

export const UPLOAD_SESSION_STATUSES = ['open', 'finished', 'aborted', 'expired'] as const;
/** `open` while bytes may arrive; `finished` as the version it became; `aborted` by the client; `expired` and cleaned up. */
export const UploadSessionStatus = Type.Union([Type.Literal('open'), Type.Literal('finished'), Type.Literal('aborted'), Type.Literal('expired')]);
export type UploadSessionStatus = (typeof UPLOAD_SESSION_STATUSES)[number];

/** Declares an upload: who may continue it (the token), its declared size and SHA-256, where it lands. */
export const CreateUploadSessionParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    /** Client-chosen; generated when absent. */
    upload_id: Type.Optional(UploadSessionId),
    token_id: idSchema('The token that started the upload; only it may continue it.'),
    thread_id: Type.Optional(ThreadId),
    turn_id: Type.Optional(TurnId),
    /** A new version of this artifact instead of a new artifact. */
    artifact_id: Type.Optional(ArtifactId),
    file_name: ArtifactName,
    mime_type: ArtifactMediaType,
    size_bytes: ArtifactSize,
    sha256: Sha256,
    source_kind: ArtifactSourceKind,
    chunk_size: Type.Integer({ minimum: 1, maximum: 64 * 1024 * 1024 }),
    expires_at: Timestamp,
    /** Default `DEFAULT_ARTIFACT_QUOTAS`: the declared size is checked against them before any byte is sent. */
    quotas: Type.Optional(ArtifactQuotas),
  },
  strict,
);
export type CreateUploadSessionParams = Static<typeof CreateUploadSessionParams>;

export const UploadSessionRefParams = Type.Object({ workspace_id: WorkspaceId, upload_id: UploadSessionId }, strict);
export type UploadSessionRefParams = Static<typeof UploadSessionRefParams>;

export const ArtifactUploadSession = Type.Object(
  {
    upload_id: UploadSessionId,
    workspace_id: WorkspaceId,
    token_id: Type.String(),
    thread_id: nullable(ThreadId),
    turn_id: nullable(TurnId),
    artifact_id: nullable(ArtifactId),
    file_name: ArtifactName,
    mime_type: ArtifactMediaType,
    size_bytes: ArtifactSize,
    sha256: Sha256,
    source_kind: ArtifactSourceKind,
    chunk_size: Type.Integer({ minimum: 1 }),
    received_bytes: ArtifactSize,
    /** Opaque running SHA-256 state after `received_bytes`; null before the first chunk. */
    hash_state: nullable(Type.String()),
    status: UploadSessionStatus,
    /** Set by `finish`. */
    version_id: nullable(ArtifactVersionId),
    created_at: Timestamp,
    updated_at: Timestamp,
    expires_at: Timestamp,
  },
);
export type ArtifactUploadSession = Static<typeof ArtifactUploadSession>;

/** Compare-and-set: applies only when the session is open and has exactly `expected_offset` bytes. */
export const AdvanceUploadSessionParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    upload_id: UploadSessionId,
    expected_offset: ArtifactSize,
    received_bytes: ArtifactSize,
    hash_state: Type.String({ minLength: 1, maxLength: LIMITS.artifact.hashStateLength }),
  },
  strict,
);
export type AdvanceUploadSessionParams = Static<typeof AdvanceUploadSessionParams>;

/** `{ ok: false }` names the offset the session really has, so the sender resumes from it. */
export type AdvanceUploadSessionResult = { ok: true; session: ArtifactUploadSession } | { ok: false; reason: 'offset_mismatch' | 'not_open'; session: ArtifactUploadSession };

export const FinishUploadSessionParams = Type.Object(
  { workspace_id: WorkspaceId, upload_id: UploadSessionId, artifact_id: ArtifactId, version_id: ArtifactVersionId },
  strict,
);
export type FinishUploadSessionParams = Static<typeof FinishUploadSessionParams>;

export const ExpiredUploadSessionsParams = Type.Object({ now: Timestamp, limit: Type.Integer({ minimum: 1, maximum: 10_000 }) }, strict);
export type ExpiredUploadSessionsParams = Static<typeof ExpiredUploadSessionsParams>;

/** One `artifact_blob` row: a content address the workspace's versions may reference. */
export const ArtifactBlobRecord = Type.Object(
  {
    workspace_id: WorkspaceId,
    sha256: Sha256,
    size_bytes: ArtifactSize,
    created_at: Timestamp,
    verified_at: nullable(Timestamp),
  },
);
export type ArtifactBlobRecord = Static<typeof ArtifactBlobRecord>;

/** Blob rows older than `older_than` that nothing references (candidates; `deleteBlobIfUnreferenced` re-checks). */
export const UnreferencedBlobsParams = Type.Object(
  { older_than: Timestamp, limit: Type.Integer({ minimum: 1, maximum: 100_000 }), workspace_id: Type.Optional(WorkspaceId) },
  strict,
);
export type UnreferencedBlobsParams = Static<typeof UnreferencedBlobsParams>;

export const BlobRefParams = Type.Object({ workspace_id: WorkspaceId, sha256: Sha256 }, strict);
export type BlobRefParams = Static<typeof BlobRefParams>;

/**
 * Registers bytes the blob store holds that no version names (a thumbnail a projection is
 * about to reference): the row GC then knows of, and the bytes the workspace quota counts.
 */
export const RecordBlobParams = Type.Object(
  { workspace_id: WorkspaceId, sha256: Sha256, size_bytes: ArtifactSize, /** For the warning threshold only: derived bytes are never refused. */ quotas: Type.Optional(ArtifactQuotas) },
  strict,
);
export type RecordBlobParams = Static<typeof RecordBlobParams>;

/** A page of blob rows in (workspace, sha256) order, after the given key. */
export const BlobRowsParams = Type.Object(
  {
    workspace_id: Type.Optional(WorkspaceId),
    after: Type.Optional(Type.Object({ workspace_id: WorkspaceId, sha256: Sha256 }, strict)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
  },
  strict,
);
export type BlobRowsParams = Static<typeof BlobRowsParams>;
