export { ENTITIES } from './entities.js';
export { DEFAULT_WORKSPACE_SLOT, WORKSPACE_ENTITIES, WorkspaceEntity } from './workspace/index.js';
export { THREAD_ENTITIES, ThreadEntity, ThreadFolderEntity } from './thread/index.js';
export { JOURNAL_ENTITIES, JournalEventEntity } from './journal/index.js';
export {
  TURN_ENTITIES,
  TurnEntity,
  TurnInputEntity,
  TurnItemAttemptEntity,
  TurnItemEntity,
  TurnStatusChangeEntity,
  TurnTimelineEntryEntity,
} from './turn/index.js';
export {
  RecoveryJobEntity,
  TURN_RECORD_ENTITIES,
  TurnAttachmentEntity,
  TurnLlmContextEntity,
  TurnMcpBindingEntity,
  TurnPromptManifestEntity,
  TurnSkillBindingEntity,
} from './turn-records/index.js';
