import { Type, type Static } from 'typebox';
import { ThreadId, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';
import {
  Artifact,
  ArtifactBinding,
  ArtifactBindingInput,
  ArtifactCapabilities,
  ArtifactId,
  ArtifactKind,
  ArtifactListEntry,
  ArtifactMediaType,
  ArtifactProjection,
  ArtifactScopeId,
  ArtifactSize,
  ArtifactStatus,
  ArtifactVersion,
  ArtifactVersionId,
  BindingDirection,
} from './artifact.js';

const strict = { additionalProperties: false } as const;
const ref = { workspace_id: WorkspaceId, artifact_id: ArtifactId };

export const ArtifactCapabilitiesParams = Type.Object({ workspace_id: WorkspaceId }, strict);
export type ArtifactCapabilitiesParams = Static<typeof ArtifactCapabilitiesParams>;

/** A workspace's artifacts, newest first. Deleted ones only with `include_deleted` (or `status: 'deleted'`). */
export const ArtifactListParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    kind: Type.Optional(ArtifactKind),
    status: Type.Optional(ArtifactStatus),
    include_deleted: Type.Optional(Type.Boolean()),
    ...PAGE_PARAMS,
  },
  strict,
);
export type ArtifactListParams = Static<typeof ArtifactListParams>;
export const ArtifactListResult = Page(Artifact);
export type ArtifactListResult = Static<typeof ArtifactListResult>;

const bindingFilter = {
  direction: Type.Optional(BindingDirection),
  include_deleted: Type.Optional(Type.Boolean()),
  ...PAGE_PARAMS,
};

/**
 * The bindings of one thread (every binding naming it, whatever narrower scope it has), oldest
 * first, each with its artifact. The thread must exist (`not_found` for a draft thread that is
 * not materialized, exactly like `thread/get`).
 */
export const ArtifactListThreadParams = Type.Object({ workspace_id: WorkspaceId, thread_id: ThreadId, ...bindingFilter }, strict);
export type ArtifactListThreadParams = Static<typeof ArtifactListThreadParams>;
/** The bindings of one turn, oldest first; the turn must exist (`not_found`). */
export const ArtifactListTurnParams = Type.Object({ workspace_id: WorkspaceId, turn_id: TurnId, ...bindingFilter }, strict);
export type ArtifactListTurnParams = Static<typeof ArtifactListTurnParams>;
/** The bindings of one message, oldest first (an unknown message has none). */
export const ArtifactListMessageParams = Type.Object({ workspace_id: WorkspaceId, message_id: ArtifactScopeId, ...bindingFilter }, strict);
export type ArtifactListMessageParams = Static<typeof ArtifactListMessageParams>;
export const ArtifactBindingListResult = Page(ArtifactListEntry);
export type ArtifactBindingListResult = Static<typeof ArtifactBindingListResult>;

/** An artifact and one of its versions (the current one unless `version_id` names another). */
export const ArtifactGetParams = Type.Object({ ...ref, version_id: Type.Optional(ArtifactVersionId) }, strict);
export type ArtifactGetParams = Static<typeof ArtifactGetParams>;
export const ArtifactGetResult = Type.Object(
  { artifact: Artifact, version: ArtifactVersion, projections: Type.Array(ArtifactProjection) },
);
export type ArtifactGetResult = Static<typeof ArtifactGetResult>;

/** An artifact's versions, newest first. */
export const ArtifactVersionsParams = Type.Object({ ...ref, ...PAGE_PARAMS }, strict);
export type ArtifactVersionsParams = Static<typeof ArtifactVersionsParams>;
export const ArtifactVersionsResult = Page(ArtifactVersion);
export type ArtifactVersionsResult = Static<typeof ArtifactVersionsResult>;

/**
 * Small text inline: a text-like version's bytes decoded as UTF-8 (or its `plain_text` /
 * `pdf_text` projection), cut at `max_bytes` on a character boundary (`truncated`).
 */
export const ArtifactReadParams = Type.Object(
  {
    ...ref,
    version_id: Type.Optional(ArtifactVersionId),
    max_bytes: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.artifact.readMaxBytes })),
  },
  strict,
);
export type ArtifactReadParams = Static<typeof ArtifactReadParams>;
export const ArtifactReadResult = Type.Object(
  {
    artifact_id: ArtifactId,
    version_id: ArtifactVersionId,
    mime_type: ArtifactMediaType,
    size_bytes: ArtifactSize,
    /** `blob`: the bytes themselves; else the projection the text came from. */
    source: Type.Union([Type.Literal('blob'), Type.Literal('plain_text'), Type.Literal('pdf_text')]),
    text: Type.String(),
    truncated: Type.Boolean(),
  },
);
export type ArtifactReadResult = Static<typeof ArtifactReadResult>;

/**
 * Binds an artifact to a scope: following its current version, or, with
 * `binding.pin_version`, pinned to `version_id` (default the current one; naming a version
 * without `pin_version` is `invalid_params`). The same binding again answers it (`created:
 * false`); a deleted artifact is `artifact_unavailable`.
 */
export const ArtifactBindParams = Type.Object(
  { ...ref, version_id: Type.Optional(ArtifactVersionId), binding: ArtifactBindingInput },
  strict,
);
export type ArtifactBindParams = Static<typeof ArtifactBindParams>;
export const ArtifactBindResult = Type.Object({ binding: ArtifactBinding, created: Type.Boolean() });
export type ArtifactBindResult = Static<typeof ArtifactBindResult>;

/** Soft delete: status `deleted`, bytes kept until GC; again: no-op. */
export const ArtifactDeleteParams = Type.Object(ref, strict);
export type ArtifactDeleteParams = Static<typeof ArtifactDeleteParams>;
/** Undoes a soft delete (back to the status it had); a live one: no-op. Counts against the files quota again. */
export const ArtifactRestoreParams = Type.Object(ref, strict);
export type ArtifactRestoreParams = Static<typeof ArtifactRestoreParams>;
export const ArtifactResult = Type.Object({ artifact: Artifact });
export type ArtifactResult = Static<typeof ArtifactResult>;

/**
 * The artifact metadata methods (PROTOCOL.md). Uploads and downloads (`artifact/upload/*`,
 * `artifact/download/*`) are the transfer group's. Not in `METHODS` until the gateway serves them.
 */
export const artifactMethods = defineMethods({
  'artifact/capabilities': { params: ArtifactCapabilitiesParams, result: ArtifactCapabilities },
  'artifact/list': { params: ArtifactListParams, result: ArtifactListResult },
  'artifact/list/thread': { params: ArtifactListThreadParams, result: ArtifactBindingListResult },
  'artifact/list/turn': { params: ArtifactListTurnParams, result: ArtifactBindingListResult },
  'artifact/list/message': { params: ArtifactListMessageParams, result: ArtifactBindingListResult },
  'artifact/get': { params: ArtifactGetParams, result: ArtifactGetResult },
  'artifact/read': { params: ArtifactReadParams, result: ArtifactReadResult },
  'artifact/bind': { params: ArtifactBindParams, result: ArtifactBindResult },
  'artifact/delete': { params: ArtifactDeleteParams, result: ArtifactResult },
  'artifact/restore': { params: ArtifactRestoreParams, result: ArtifactResult },
});
