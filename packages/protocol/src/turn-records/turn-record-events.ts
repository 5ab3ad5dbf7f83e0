import { Type, type Static } from 'typebox';
import { ThreadId, TurnId } from '../common/ids.js';
import { PromptManifestInput } from './prompt-manifest.js';
import { McpBindingInput, SkillBindingInput } from './turn-bindings.js';
import { Sha256 } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;
const TurnRef = { turn_id: TurnId, thread_id: ThreadId };

/**
 * Turn-stream events of the turn records, journaled with the turn's other events and
 * projected by crud's `TurnRecordsProjector` in the same transaction.
 */
export const TURN_RECORD_EVENT_TYPES = {
  promptManifestRecorded: 'turn.prompt_manifest.recorded',
  skillBound: 'turn.skill.bound',
  mcpBound: 'turn.mcp.bound',
  llmContextRetained: 'turn.llm_context.retained',
} as const;
export type TurnRecordEventType = (typeof TURN_RECORD_EVENT_TYPES)[keyof typeof TURN_RECORD_EVENT_TYPES];

export const PromptManifestRecordedPayload = Type.Object(
  { type: Type.Literal('turn.prompt_manifest.recorded'), ...TurnRef, manifest: PromptManifestInput, manifest_sha256: Sha256 },
  strict,
);
export type PromptManifestRecordedPayload = Static<typeof PromptManifestRecordedPayload>;

export const SkillBoundPayload = Type.Object({ type: Type.Literal('turn.skill.bound'), ...TurnRef, binding: SkillBindingInput }, strict);
export type SkillBoundPayload = Static<typeof SkillBoundPayload>;

export const McpBoundPayload = Type.Object(
  { type: Type.Literal('turn.mcp.bound'), ...TurnRef, binding: McpBindingInput, binding_sha256: Sha256 },
  strict,
);
export type McpBoundPayload = Static<typeof McpBoundPayload>;

/**
 * The context body itself is stored once, in `turn_llm_context`; the event carries only its
 * identity (revision, SHA-256 and size of the stored redacted canonical JSON), so the journal
 * stays small and `verify` can still prove which body the turn retained.
 */
export const LlmContextRetainedPayload = Type.Object(
  {
    type: Type.Literal('turn.llm_context.retained'),
    ...TurnRef,
    revision: Type.Integer({ minimum: 1 }),
    sha256: Sha256,
    size_bytes: Type.Integer({ minimum: 0 }),
    message_count: Type.Integer({ minimum: 0 }),
  },
  strict,
);
export type LlmContextRetainedPayload = Static<typeof LlmContextRetainedPayload>;

export const TurnRecordEventPayload = Type.Union([
  PromptManifestRecordedPayload,
  SkillBoundPayload,
  McpBoundPayload,
  LlmContextRetainedPayload,
]);
export type TurnRecordEventPayload = Static<typeof TurnRecordEventPayload>;
