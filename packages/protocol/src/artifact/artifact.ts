import { Type, type Static, type TLiteral, type TSchema, type TUnion } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId, idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { Sha256 } from '../turn-records/turn-record-common.js';

const strict = { additionalProperties: false } as const;
const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

/** The logical file: stays the same across versions, soft delete and restore. */
export const ArtifactId = idSchema('Artifact id: names the logical file across its versions.');
/** One immutable, blob-backed version of an artifact. */
export const ArtifactVersionId = idSchema('Artifact version id: one immutable version.');
export const ArtifactBindingId = idSchema('Artifact binding id.');
export const UploadSessionId = idSchema('Upload session id.');
/** Ids of things an artifact can be bound to that live outside crud's artifact tables (items, messages, tool calls, tasks, runs). */
export const ArtifactScopeId = idSchema('Id of a message, item, tool call, task or task run an artifact is bound to.');

export type ArtifactId = Static<typeof ArtifactId>;
export type ArtifactVersionId = Static<typeof ArtifactVersionId>;
export type ArtifactBindingId = Static<typeof ArtifactBindingId>;
export type UploadSessionId = Static<typeof UploadSessionId>;

/** A union of string literals from a list kept as a value too (for CHECK constraints and capabilities). */
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<{ -readonly [K in keyof T]: TLiteral<T[K]> }>;

/** Every artifact kind, as a list (capabilities, CHECK constraints, tests). */
export const ARTIFACT_KINDS = ['file', 'text', 'code', 'image', 'audio', 'video', 'pdf', 'document', 'spreadsheet', 'presentation', 'archive', 'json', 'screenshot'] as const;
/** What the file is, for clients choosing a viewer and the service choosing projections. `file`: anything else. */
export const ArtifactKind = literals(ARTIFACT_KINDS);
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

export const ARTIFACT_STATUSES = ['ready', 'pending', 'quarantined', 'deleted', 'failed'] as const;
/**
 * `ready`: bytes stored and verified; `pending`: declared, bytes not yet there; `quarantined`:
 * kept but not served (a failed verification, an operator's hold); `deleted`: soft-deleted,
 * restorable until GC reclaims the bytes; `failed`: never became ready.
 */
export const ArtifactStatus = literals(ARTIFACT_STATUSES);
export type ArtifactStatus = (typeof ARTIFACT_STATUSES)[number];

export const BINDING_KINDS = ['user_input', 'agent_output', 'tool_output', 'task_result', 'context_attachment', 'derived_from', 'draft_upload'] as const;
/** Why an artifact is tied to a scope. `draft_upload`: uploaded for a thread or turn that is not materialized yet (bound at workspace scope). */
export const BindingKind = literals(BINDING_KINDS);
export type BindingKind = (typeof BINDING_KINDS)[number];

export const BINDING_DIRECTIONS = ['input', 'output', 'context', 'derived'] as const;
/** Which way the file flows relative to the scope. */
export const BindingDirection = literals(BINDING_DIRECTIONS);
export type BindingDirection = (typeof BINDING_DIRECTIONS)[number];

/** The direction a binding kind implies when a binding does not name one. */
export const DEFAULT_BINDING_DIRECTION: Readonly<Record<BindingKind, BindingDirection>> = Object.freeze({
  user_input: 'input',
  agent_output: 'output',
  tool_output: 'output',
  task_result: 'output',
  context_attachment: 'context',
  derived_from: 'derived',
  draft_upload: 'input',
});

export const BINDING_SCOPES = ['message', 'item', 'tool_call', 'turn', 'task_run', 'task', 'thread', 'workspace'] as const;
/**
 * The narrowest scope a binding names (message, else item/tool call, else turn, else task
 * run/task, else thread); every artifact is also in its workspace's scope whatever it is bound to.
 */
export const BindingScope = literals(BINDING_SCOPES);
export type BindingScope = (typeof BINDING_SCOPES)[number];

export const ARTIFACT_SOURCE_KINDS = ['user_upload', 'workspace_file', 'generated_media', 'tool_output', 'task_result', 'agent_output', 'derived', 'api'] as const;
/** Where the bytes came from (matches the `[capture]` switches). */
export const ArtifactSourceKind = literals(ARTIFACT_SOURCE_KINDS);
export type ArtifactSourceKind = (typeof ARTIFACT_SOURCE_KINDS)[number];

export const PROJECTION_KINDS = ['plain_text', 'thumbnail', 'json_summary', 'pdf_text'] as const;
/** Derived views of a version, computed off the request path. */
export const ProjectionKind = literals(PROJECTION_KINDS);
export type ProjectionKind = (typeof PROJECTION_KINDS)[number];

export const PROJECTION_STATUSES = ['pending', 'ready', 'failed', 'skipped'] as const;
/** `skipped`: the version does not qualify (too large, not decodable); a failure never fails the artifact. */
export const ProjectionStatus = literals(PROJECTION_STATUSES);
export type ProjectionStatus = (typeof PROJECTION_STATUSES)[number];

export const ArtifactName = Type.String({
  minLength: 1,
  maxLength: LIMITS.artifact.nameLength,
  // A file name, never a path: no separator, no control character, not `.` or `..`.
  pattern: '^(?!\\.\\.?$)[^/\\\\\\u0000-\\u001f\\u007f]+$',
});
export const ArtifactMediaType = Type.String({
  minLength: 3,
  maxLength: LIMITS.artifact.mediaTypeLength,
  pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*( *;.*)?$',
});
export const ArtifactSize = Type.Integer({ minimum: 0, maximum: LIMITS.artifact.sizeMax });

/** What names one version's bytes: enough to read, download or hand to a provider. */
export const ArtifactRef = Type.Object(
  {
    artifact_id: ArtifactId,
    version_id: ArtifactVersionId,
    workspace_id: WorkspaceId,
    sha256: Sha256,
    size_bytes: ArtifactSize,
    name: ArtifactName,
    mime_type: ArtifactMediaType,
    kind: ArtifactKind,
  },
);
export type ArtifactRef = Static<typeof ArtifactRef>;

/** The logical file as its current version left it. */
export const Artifact = Type.Object(
  {
    artifact_id: ArtifactId,
    workspace_id: WorkspaceId,
    name: ArtifactName,
    kind: ArtifactKind,
    mime_type: ArtifactMediaType,
    status: ArtifactStatus,
    source_kind: ArtifactSourceKind,
    /** The version reads and downloads get unless they name one. */
    current_version_id: ArtifactVersionId,
    /** 1 for the first version; moves with each new one. */
    version_count: Type.Integer({ minimum: 1 }),
    sha256: Sha256,
    size_bytes: ArtifactSize,
    /** The thread it was first bound to, if any: where its events are routed. */
    thread_id: nullable(ThreadId),
    created_at: Timestamp,
    updated_at: Timestamp,
    deleted_at: nullable(Timestamp),
  },
);
export type Artifact = Static<typeof Artifact>;

export const ArtifactVersion = Type.Object(
  {
    version_id: ArtifactVersionId,
    artifact_id: ArtifactId,
    workspace_id: WorkspaceId,
    /** 1, 2, 3, ... within the artifact. */
    version_number: Type.Integer({ minimum: 1 }),
    sha256: Sha256,
    size_bytes: ArtifactSize,
    name: ArtifactName,
    mime_type: ArtifactMediaType,
    kind: ArtifactKind,
    source_kind: ArtifactSourceKind,
    created_at: Timestamp,
  },
);
export type ArtifactVersion = Static<typeof ArtifactVersion>;

const scopeFields = {
  thread_id: nullable(ThreadId),
  turn_id: nullable(TurnId),
  message_id: nullable(ArtifactScopeId),
  item_id: nullable(ArtifactScopeId),
  tool_call_id: nullable(ArtifactScopeId),
  task_id: nullable(ArtifactScopeId),
  task_run_id: nullable(ArtifactScopeId),
};

/** Ties an artifact (or one pinned version of it) to a scope; what listing by thread, turn and message reads. */
export const ArtifactBinding = Type.Object(
  {
    binding_id: ArtifactBindingId,
    artifact_id: ArtifactId,
    /** null: follows the artifact's current version. */
    version_id: nullable(ArtifactVersionId),
    workspace_id: WorkspaceId,
    binding_kind: BindingKind,
    direction: BindingDirection,
    /** The narrowest scope named below. */
    scope: BindingScope,
    ...scopeFields,
    created_at: Timestamp,
  },
);
export type ArtifactBinding = Static<typeof ArtifactBinding>;

const optionalScope = {
  thread_id: Type.Optional(ThreadId),
  turn_id: Type.Optional(TurnId),
  message_id: Type.Optional(ArtifactScopeId),
  item_id: Type.Optional(ArtifactScopeId),
  tool_call_id: Type.Optional(ArtifactScopeId),
  task_id: Type.Optional(ArtifactScopeId),
  task_run_id: Type.Optional(ArtifactScopeId),
};

/**
 * A binding to make. Name the narrowest scope you know: a message or item needs its turn; a
 * turn's thread is filled in from the turn. The thread and turn must exist (a draft thread
 * that `thread/start` has not materialized cannot be bound to: bind as `draft_upload` without
 * it, then bind again once it exists).
 */
export const ArtifactBindingInput = Type.Object(
  {
    binding_kind: BindingKind,
    /** Default: the binding kind's (`DEFAULT_BINDING_DIRECTION`). */
    direction: Type.Optional(BindingDirection),
    /** Pin the version being recorded (or named) instead of following the current one. */
    pin_version: Type.Optional(Type.Boolean()),
    ...optionalScope,
  },
  strict,
);
export type ArtifactBindingInput = Static<typeof ArtifactBindingInput>;

/** One derived view of one version. */
export const ArtifactProjection = Type.Object(
  {
    version_id: ArtifactVersionId,
    artifact_id: ArtifactId,
    workspace_id: WorkspaceId,
    kind: ProjectionKind,
    status: ProjectionStatus,
    /** `plain_text`, `pdf_text`: the text, at most `LIMITS.artifact.projectionTextMaxBytes` of UTF-8. */
    text: nullable(Type.String()),
    /** `thumbnail`: the blob (same workspace) holding the PNG. */
    blob_sha256: nullable(Sha256),
    /** `json_summary`: shape, keys and types. */
    summary: nullable(Type.Unknown()),
    error: nullable(Type.String({ maxLength: LIMITS.turnRecords.errorMessageLength })),
    created_at: Timestamp,
    updated_at: Timestamp,
  },
);
export type ArtifactProjection = Static<typeof ArtifactProjection>;

/** The quotas a workspace's artifacts are held to (`[quotas]` in the gateway settings). */
export const ArtifactQuotas = Type.Object(
  {
    max_artifact_bytes: Type.Integer({ minimum: 0 }),
    workspace_artifact_bytes: Type.Integer({ minimum: 0 }),
    workspace_artifact_files: Type.Integer({ minimum: 0 }),
    /** A `workspace/quota/warning` when usage crosses this fraction of a workspace quota. */
    warn_at_fraction: Type.Number({ minimum: 0, maximum: 1 }),
  },
  strict,
);
export type ArtifactQuotas = Static<typeof ArtifactQuotas>;

/** The defaults of `[quotas]`: 512 MiB per artifact, 10 GiB and 100,000 files per workspace, warning at 80%. */
export const DEFAULT_ARTIFACT_QUOTAS: ArtifactQuotas = Object.freeze({
  max_artifact_bytes: 512 * 1024 * 1024,
  workspace_artifact_bytes: 10 * 1024 * 1024 * 1024,
  workspace_artifact_files: 100_000,
  warn_at_fraction: 0.8,
});

export const WORKSPACE_QUOTA_NAMES = ['max_artifact_bytes', 'workspace_artifact_bytes', 'workspace_artifact_files'] as const;
/** Which quota an error or a warning is about. */
export const WorkspaceQuotaName = literals(WORKSPACE_QUOTA_NAMES);
export type WorkspaceQuotaName = (typeof WORKSPACE_QUOTA_NAMES)[number];

/**
 * What a workspace's artifacts use: `bytes` of distinct blobs stored (identical bytes count
 * once, soft-deleted ones until GC reclaims them), `files` of artifacts not deleted.
 */
export const ArtifactUsage = Type.Object(
  { workspace_id: WorkspaceId, bytes: Type.Integer({ minimum: 0 }), files: Type.Integer({ minimum: 0 }) },
);
export type ArtifactUsage = Static<typeof ArtifactUsage>;

/** What `artifact/capabilities` answers: what this gateway can store and derive, and where the workspace stands. */
export const ArtifactCapabilities = Type.Object(
  {
    kinds: Type.Array(ArtifactKind),
    projection_kinds: Type.Array(ProjectionKind),
    quotas: ArtifactQuotas,
    usage: ArtifactUsage,
    /** Largest text `artifact/read` answers inline. */
    inline_read_max_bytes: Type.Integer({ minimum: 1 }),
    /** Upload and download over the socket (`artifact/upload/*`): chunk size bounds. */
    max_chunk_bytes: Type.Integer({ minimum: 1 }),
    recommended_chunk_bytes: Type.Integer({ minimum: 1 }),
  },
);
export type ArtifactCapabilities = Static<typeof ArtifactCapabilities>;

/** One row of a thread/turn/message listing: the binding that put the artifact there, and the artifact. */
export const ArtifactListEntry = Type.Object({ binding: ArtifactBinding, artifact: Artifact });
export type ArtifactListEntry = Static<typeof ArtifactListEntry>;
