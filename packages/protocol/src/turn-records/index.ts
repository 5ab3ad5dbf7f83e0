export {
  McpServerId,
  PromptId,
  RecoveryJobId,
  SkillId,
  TURN_RECORD_LIMITS,
  WorkerId,
} from './turn-record-common.js';
export {
  ManifestPrompt,
  ManifestSkill,
  ManifestTool,
  PromptManifestInput,
  RecordPromptManifestParams,
  RecordPromptManifestResult,
  ToolOrigin,
  TurnPromptManifest,
} from './prompt-manifest.js';
export {
  BindMcpParams,
  BindMcpResult,
  BindSkillParams,
  BindSkillResult,
  McpBindingInput,
  McpPolicySnapshot,
  SkillBindingInput,
  TurnMcpBinding,
  TurnBindings,
  TurnRecordRefParams,
  TurnSkillBinding,
} from './turn-bindings.js';
export {
  LlmContextBody,
  PruneLlmContextParams,
  PruneLlmContextResult,
  RetainLlmContextParams,
  RetainLlmContextResult,
  TurnLlmContext,
  TurnLlmContextInfo,
} from './llm-context.js';
export {
  ClaimRecoveryJobParams,
  ClaimRecoveryJobResult,
  CompleteRecoveryJobParams,
  FailRecoveryJobParams,
  ProviderFailure,
  RecoveryJob,
  RecoveryJobRefParams,
  RecoveryJobStatus,
  ReleaseRecoveryJobParams,
} from './recovery-job.js';
export {
  Attachment,
  AttachmentRefParams,
  AttachmentResult,
  AttachmentStatus,
  AttachmentStorageRef,
  ListTurnAttachmentsParams,
  ListTurnAttachmentsResult,
  MarkAttachmentFailedParams,
  MarkAttachmentReadyParams,
  RegisterAttachmentParams,
  RegisterAttachmentResult,
} from './attachment.js';
export {
  LlmContextRetainedPayload,
  McpBoundPayload,
  PromptManifestRecordedPayload,
  SkillBoundPayload,
  TURN_RECORD_EVENT_TYPES,
  TurnRecordEventPayload,
  type TurnRecordEventType,
} from './turn-record-events.js';
export {
  ClaimRecoveryJobRequest,
  CompleteRecoveryJobRequest,
  FailRecoveryJobRequest,
  LlmContextResult,
  PromptManifestResult,
  RecoveryJobListResult,
  RecoveryJobResult,
  ReleaseRecoveryJobRequest,
  turnRecordMethods,
} from './turn-record-methods.js';
