import { RecoveryJobEntity } from './recovery-job-entity.js';
import { TurnAttachmentEntity } from './turn-attachment-entity.js';
import { TurnLlmContextEntity } from './turn-llm-context-entity.js';
import { TurnMcpBindingEntity } from './turn-mcp-binding-entity.js';
import { TurnPromptManifestEntity } from './turn-prompt-manifest-entity.js';
import { TurnSkillBindingEntity } from './turn-skill-binding-entity.js';

export { RecoveryJobEntity } from './recovery-job-entity.js';
export { TurnAttachmentEntity } from './turn-attachment-entity.js';
export { TurnLlmContextEntity } from './turn-llm-context-entity.js';
export { TurnMcpBindingEntity } from './turn-mcp-binding-entity.js';
export { TurnPromptManifestEntity } from './turn-prompt-manifest-entity.js';
export { TurnSkillBindingEntity } from './turn-skill-binding-entity.js';

export const TURN_RECORD_ENTITIES = [
  TurnPromptManifestEntity,
  TurnSkillBindingEntity,
  TurnMcpBindingEntity,
  TurnLlmContextEntity,
  RecoveryJobEntity,
  TurnAttachmentEntity,
] as const;
