export { ENTITIES } from './entities.js';
export { DEFAULT_WORKSPACE_SLOT, WorkspaceEntity } from './workspace/index.js';
export { ThreadEntity, ThreadFolderEntity } from './thread/index.js';
export { JournalEventEntity, JournalRetentionEntity, JournalStreamRetentionEntity } from './journal/index.js';
export {
  TurnEntity,
  TurnInputEntity,
  TurnItemAttemptEntity,
  TurnItemEntity,
  TurnStatusChangeEntity,
  TurnTimelineEntryEntity,
} from './turn/index.js';
export {
  RecoveryJobEntity,
  TurnAttachmentEntity,
  TurnLlmContextEntity,
  TurnMcpBindingEntity,
  TurnPromptManifestEntity,
  TurnSkillBindingEntity,
} from './turn-records/index.js';
export { AuthTokenEntity } from './auth/index.js';
export {
  ArtifactBindingEntity,
  ArtifactBlobEntity,
  ArtifactEntity,
  ArtifactExternalRefEntity,
  ArtifactProjectionEntity,
  ArtifactUploadSessionEntity,
  ArtifactUsageEntity,
  ArtifactVersionEntity,
} from './artifact/index.js';
