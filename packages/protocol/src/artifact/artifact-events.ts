import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, WorkspaceId } from '../common/ids.js';
import { Artifact, ArtifactBinding, ArtifactId, ArtifactProjection, ArtifactVersion, ProjectionKind, WorkspaceQuotaName } from './artifact.js';

/*
 * The payloads of the `artifact` stream's journaled events (crud's ArtifactProjector writes
 * the read models from them, and a rebuild replays them). Each carries the records as the
 * change left them, so a notification needs no read and a replay needs no other source.
 */

/** Every event type of the `artifact` stream. */
export const ARTIFACT_EVENT_TYPES = [
  'artifact.created',
  'artifact.version_added',
  'artifact.bound',
  'artifact.deleted',
  'artifact.restored',
  'artifact.projection_updated',
  'workspace.quota_warning',
] as const;
export type ArtifactEventType = (typeof ARTIFACT_EVENT_TYPES)[number];

/** A new artifact and its first version; `projections`: the kinds queued `pending` for it. */
export const ArtifactCreatedPayload = Type.Object({ artifact: Artifact, version: ArtifactVersion, projections: Type.Array(ProjectionKind) });
export type ArtifactCreatedPayload = Static<typeof ArtifactCreatedPayload>;

/** A new version became current. */
export const ArtifactVersionAddedPayload = Type.Object({
  change: Type.Literal('version_added'),
  artifact: Artifact,
  version: ArtifactVersion,
  projections: Type.Array(ProjectionKind),
});
export type ArtifactVersionAddedPayload = Static<typeof ArtifactVersionAddedPayload>;

export const ArtifactRestoredPayload = Type.Object({ change: Type.Literal('restored'), artifact: Artifact });
export type ArtifactRestoredPayload = Static<typeof ArtifactRestoredPayload>;

export const ArtifactDeletedPayload = Type.Object({ artifact: Artifact });
export type ArtifactDeletedPayload = Static<typeof ArtifactDeletedPayload>;

export const ArtifactBoundPayload = Type.Object({ change: Type.Literal('bound'), artifact_id: ArtifactId, binding: ArtifactBinding });
export type ArtifactBoundPayload = Static<typeof ArtifactBoundPayload>;

export const ArtifactProjectionUpdatedPayload = Type.Object({ projection: ArtifactProjection });
export type ArtifactProjectionUpdatedPayload = Static<typeof ArtifactProjectionUpdatedPayload>;

/** Usage crossed `warn_at_fraction` of a workspace quota (once per crossing, upward). */
export const WorkspaceQuotaWarningPayload = Type.Object({
  quota: WorkspaceQuotaName,
  limit: Type.Integer({ minimum: 0 }),
  used: Type.Integer({ minimum: 0 }),
  warn_at_fraction: Type.Number({ minimum: 0, maximum: 1 }),
});
export type WorkspaceQuotaWarningPayload = Static<typeof WorkspaceQuotaWarningPayload>;

const Envelope = {
  workspace_id: WorkspaceId,
  seq: Type.Integer({ minimum: 1 }),
  recorded_at: Timestamp,
};
/** The thread the artifact is bound to (its first thread), when it is bound to one: subscribers of that thread get it. */
const ThreadEnvelope = { ...Envelope, thread_id: Type.Optional(Type.Union([ThreadId, Type.Null()])) };

export const ArtifactCreatedNotification = Type.Object({ ...ThreadEnvelope, ...ArtifactCreatedPayload.properties });
/** A new current version (`change: 'version_added'`) or a restore (`change: 'restored'`). */
export const ArtifactUpdatedNotification = Type.Union([
  Type.Object({ ...ThreadEnvelope, ...ArtifactVersionAddedPayload.properties }),
  Type.Object({ ...ThreadEnvelope, ...ArtifactRestoredPayload.properties }),
]);
export const ArtifactDeletedNotification = Type.Object({ ...ThreadEnvelope, ...ArtifactDeletedPayload.properties });
export const ArtifactProjectionUpdatedNotification = Type.Object({ ...ThreadEnvelope, ...ArtifactProjectionUpdatedPayload.properties });
/** An artifact was bound to the thread (or a turn, message or item of it). */
export const ThreadArtifactsChangedNotification = Type.Object({ ...Envelope, thread_id: ThreadId, ...ArtifactBoundPayload.properties });
export const WorkspaceQuotaWarningNotification = Type.Object({ ...Envelope, ...WorkspaceQuotaWarningPayload.properties });
