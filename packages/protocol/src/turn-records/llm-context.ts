import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { Sha256 } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;

/**
 * What a runtime needs to resume a turn after a crash: the conversation as sent to the model
 * and the tool-loop state. Both are opaque JSON to Cairn. Secrets are redacted before the
 * context is stored: a runtime must re-inject credentials from `secret://` refs on resume.
 */
export const LlmContextBody = Type.Object(
  {
    messages: Type.Array(Type.Unknown(), { maxItems: LIMITS.turnRecords.llmContextMaxMessages }),
    tool_state: Type.Optional(Type.Unknown()),
    /** Provider/model the messages were shaped for. */
    provider: Type.Optional(Type.String({ maxLength: LIMITS.turnRecords.providerLength })),
    model: Type.Optional(Type.String({ maxLength: LIMITS.turnRecords.modelLength })),
  },
  strict,
);
export type LlmContextBody = Static<typeof LlmContextBody>;

/**
 * Stores the turn's latest context. `revision` grows with every snapshot the runtime takes
 * (e.g. the model-call number): an older or equal revision never replaces a newer one, and
 * the same revision retained twice with the same content is a no-op.
 */
export const RetainLlmContextParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    thread_id: ThreadId,
    turn_id: TurnId,
    revision: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    context: LlmContextBody,
  },
  strict,
);
export type RetainLlmContextParams = Static<typeof RetainLlmContextParams>;

/** The stored row's metadata, without the body. */
export const TurnLlmContextInfo = Type.Object({
  workspace_id: WorkspaceId,
  thread_id: ThreadId,
  turn_id: TurnId,
  revision: Type.Integer({ minimum: 1 }),
  /** SHA-256 and UTF-8 size of the stored (redacted, canonical) JSON; the journal event carries the same two. */
  sha256: Sha256,
  size_bytes: Type.Integer({ minimum: 0 }),
  message_count: Type.Integer({ minimum: 0 }),
  retained_at: Timestamp,
  /** When the turn reached a terminal state; the TTL runs from here. null while the turn may still be recovered. */
  turn_terminal_at: Type.Union([Timestamp, Type.Null()]),
  event_position: Type.Integer({ minimum: 1 }),
});
export type TurnLlmContextInfo = Static<typeof TurnLlmContextInfo>;

export const TurnLlmContext = Type.Object({ ...TurnLlmContextInfo.properties, context: LlmContextBody });
export type TurnLlmContext = Static<typeof TurnLlmContext>;

export const RetainLlmContextResult = Type.Object({
  info: TurnLlmContextInfo,
  /** `retained`: stored; `noop_same_revision`: this revision was already stored; `noop_stale_revision`: a newer one is stored. */
  outcome: Type.Union([Type.Literal('retained'), Type.Literal('noop_same_revision'), Type.Literal('noop_stale_revision')]),
});
export type RetainLlmContextResult = Static<typeof RetainLlmContextResult>;

export const PruneLlmContextParams = Type.Object(
  {
    /** Default 7 days. Measured from the turn's terminal time. */
    ttl_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.turnRecords.pruneBatchMax })),
    now: Type.Optional(Timestamp),
  },
  strict,
);
export type PruneLlmContextParams = Static<typeof PruneLlmContextParams>;

export const PruneLlmContextResult = Type.Object({
  pruned: Type.Integer({ minimum: 0 }),
  /** More rows are due: run another pass (now, or on the next tick). */
  more: Type.Boolean(),
  /** The pass yielded to a foreground writer and did nothing; `more` is then true. */
  busy: Type.Boolean(),
});
export type PruneLlmContextResult = Static<typeof PruneLlmContextResult>;
