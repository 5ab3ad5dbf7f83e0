import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { McpServerId, Sha256, SkillId, ToolName, VersionLabel } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;
const TurnRef = { workspace_id: WorkspaceId, thread_id: ThreadId, turn_id: TurnId };

/** A skill a turn ran with, at the version it ran with. One per (turn, skill). */
export const SkillBindingInput = Type.Object(
  {
    skill_id: SkillId,
    version: VersionLabel,
    /** SHA-256 of the installed skill bundle, when known. */
    sha256: Type.Union([Sha256, Type.Null()]),
  },
  strict,
);
export type SkillBindingInput = Static<typeof SkillBindingInput>;

/**
 * The MCP policy in force when the turn bound the server: a free-form JSON object (approval
 * mode, allowed tools, ...). Redacted of secrets before it is journaled or stored; secrets
 * belong in `secret://` refs, never here.
 */
export const McpPolicySnapshot = Type.Record(Type.String({ maxLength: LIMITS.turnRecords.mcpPolicyKeyLength }), Type.Unknown());
export type McpPolicySnapshot = Static<typeof McpPolicySnapshot>;

/** An MCP server a turn could call, the tools it exposed, and its policy. One per (turn, server). */
export const McpBindingInput = Type.Object(
  {
    server_id: McpServerId,
    server_version: Type.Union([VersionLabel, Type.Null()]),
    tool_names: Type.Array(ToolName, { maxItems: LIMITS.turnRecords.mcpMaxToolNames, uniqueItems: true }),
    policy: McpPolicySnapshot,
  },
  strict,
);
export type McpBindingInput = Static<typeof McpBindingInput>;

export const TurnSkillBinding = Type.Object({
  ...TurnRef,
  ...SkillBindingInput.properties,
  bound_at: Timestamp,
  event_position: Type.Integer({ minimum: 1 }),
});
export type TurnSkillBinding = Static<typeof TurnSkillBinding>;

export const TurnMcpBinding = Type.Object({
  ...TurnRef,
  ...McpBindingInput.properties,
  /** SHA-256 of the canonical JSON of the (redacted) binding: what replays compare. */
  binding_sha256: Sha256,
  bound_at: Timestamp,
  event_position: Type.Integer({ minimum: 1 }),
});
export type TurnMcpBinding = Static<typeof TurnMcpBinding>;

export const BindSkillParams = Type.Object({ ...TurnRef, binding: SkillBindingInput }, strict);
export type BindSkillParams = Static<typeof BindSkillParams>;

export const BindMcpParams = Type.Object({ ...TurnRef, binding: McpBindingInput }, strict);
export type BindMcpParams = Static<typeof BindMcpParams>;

export const TurnRecordRefParams = Type.Object({ workspace_id: WorkspaceId, turn_id: TurnId }, strict);
export type TurnRecordRefParams = Static<typeof TurnRecordRefParams>;

/** `bound: false`: the same binding already existed (a retry); a different one is a `conflict`. */
export const BindSkillResult = Type.Object({ binding: TurnSkillBinding, bound: Type.Boolean() });
export type BindSkillResult = Static<typeof BindSkillResult>;

export const BindMcpResult = Type.Object({ binding: TurnMcpBinding, bound: Type.Boolean() });
export type BindMcpResult = Static<typeof BindMcpResult>;

/** Everything a turn bound, ordered by skill id and server id. */
export const TurnBindings = Type.Object({ skills: Type.Array(TurnSkillBinding), mcp: Type.Array(TurnMcpBinding) });
export type TurnBindings = Static<typeof TurnBindings>;
