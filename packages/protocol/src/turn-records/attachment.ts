import { Type, type Static } from 'typebox';
import { AttachmentId, ThreadId, Timestamp, TurnId, WorkspaceId, idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { Sha256 } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;
const UploadId = idSchema('Upload session id.');
const ArtifactId = idSchema('Artifact id.');
const VersionId = idSchema('Artifact version id.');

/** `pending`: declared, bytes not yet verified; `ready`: bytes stored and checked; `failed`: the upload was abandoned or rejected. */
export const AttachmentStatus = Type.Union([Type.Literal('pending'), Type.Literal('ready'), Type.Literal('failed')]);
export type AttachmentStatus = Static<typeof AttachmentStatus>;

/** Where the bytes ended up, once known: the upload session and/or the artifact version. */
export const AttachmentStorageRef = Type.Object(
  {
    upload_id: Type.Union([UploadId, Type.Null()]),
    artifact_id: Type.Union([ArtifactId, Type.Null()]),
    version_id: Type.Union([VersionId, Type.Null()]),
  },
  strict,
);
export type AttachmentStorageRef = Static<typeof AttachmentStorageRef>;

export const AttachmentFileName = Type.String({
  minLength: 1,
  maxLength: LIMITS.turnRecords.fileNameLength,
  // No path separator and no control character: a name, never a path.
  pattern: '^[^/\\\\\\u0000-\\u001f\\u007f]+$',
});
export const MediaType = Type.String({
  minLength: 3,
  maxLength: LIMITS.turnRecords.mediaTypeLength,
  pattern: '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*( *;.*)?$',
});

export const Attachment = Type.Object({
  attachment_id: AttachmentId,
  workspace_id: WorkspaceId,
  thread_id: ThreadId,
  /** The turn whose input references it (turn ids are client-chosen, so known before the turn starts). */
  turn_id: TurnId,
  file_name: AttachmentFileName,
  media_type: MediaType,
  size_bytes: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  sha256: Sha256,
  status: AttachmentStatus,
  storage: AttachmentStorageRef,
  /** Why it failed, when `failed`. */
  failure_reason: Type.Union([Type.String({ maxLength: LIMITS.turnRecords.errorMessageLength }), Type.Null()]),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Attachment = Static<typeof Attachment>;

/**
 * Declares an attachment. Registering the same id again with the same declaration answers
 * the existing record (`created: false`); a different declaration is a `conflict`.
 */
export const RegisterAttachmentParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    thread_id: ThreadId,
    turn_id: TurnId,
    /** Client-chosen; generated when absent. */
    attachment_id: Type.Optional(AttachmentId),
    file_name: AttachmentFileName,
    media_type: MediaType,
    size_bytes: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    sha256: Sha256,
  },
  strict,
);
export type RegisterAttachmentParams = Static<typeof RegisterAttachmentParams>;

export const RegisterAttachmentResult = Type.Object({ attachment: Attachment, created: Type.Boolean() });
export type RegisterAttachmentResult = Static<typeof RegisterAttachmentResult>;

const StorageRefInput = Type.Object(
  {
    upload_id: Type.Optional(UploadId),
    artifact_id: Type.Optional(ArtifactId),
    version_id: Type.Optional(VersionId),
  },
  { ...strict, minProperties: 1 },
);

/** The bytes are stored and verified. Idempotent for the same storage ref; `failed` cannot become ready. */
export const MarkAttachmentReadyParams = Type.Object(
  { workspace_id: WorkspaceId, attachment_id: AttachmentId, storage: StorageRefInput },
  strict,
);
export type MarkAttachmentReadyParams = Static<typeof MarkAttachmentReadyParams>;

/** The upload was abandoned or rejected. A `ready` attachment cannot fail. */
export const MarkAttachmentFailedParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    attachment_id: AttachmentId,
    reason: Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.errorMessageLength }),
  },
  strict,
);
export type MarkAttachmentFailedParams = Static<typeof MarkAttachmentFailedParams>;

export const AttachmentRefParams = Type.Object({ workspace_id: WorkspaceId, attachment_id: AttachmentId }, strict);
export type AttachmentRefParams = Static<typeof AttachmentRefParams>;

/** Oldest first (registration order). */
export const ListTurnAttachmentsParams = Type.Object(
  { workspace_id: WorkspaceId, turn_id: TurnId, ...PAGE_PARAMS },
  strict,
);
export type ListTurnAttachmentsParams = Static<typeof ListTurnAttachmentsParams>;

export const ListTurnAttachmentsResult = Page(Attachment);
export type ListTurnAttachmentsResult = Static<typeof ListTurnAttachmentsResult>;

export const AttachmentResult = Type.Object({ attachment: Attachment });
export type AttachmentResult = Static<typeof AttachmentResult>;
