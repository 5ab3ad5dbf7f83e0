import { Type, type Static } from 'typebox';
import { ThreadId, Timestamp, TurnId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { McpServerId, PromptId, Sha256, SkillId, ToolName, VersionLabel } from './turn-record-common.js';

const strict = { additionalProperties: false } as const;

/** Where a tool offered to the model came from. */
export const ToolOrigin = Type.Union([Type.Literal('builtin'), Type.Literal('skill'), Type.Literal('mcp')]);
export type ToolOrigin = Static<typeof ToolOrigin>;

export const ManifestPrompt = Type.Object(
  {
    prompt_id: PromptId,
    version: VersionLabel,
    /** SHA-256 of the prompt text as sent (the text itself is not stored here). */
    sha256: Sha256,
  },
  strict,
);
export type ManifestPrompt = Static<typeof ManifestPrompt>;

export const ManifestSkill = Type.Object({ skill_id: SkillId, version: VersionLabel }, strict);
export type ManifestSkill = Static<typeof ManifestSkill>;

export const ManifestTool = Type.Object(
  {
    name: ToolName,
    origin: ToolOrigin,
    /** The skill id or MCP server id the tool came from; null for builtins. */
    origin_id: Type.Union([SkillId, McpServerId, Type.Null()]),
    /** SHA-256 of the tool's JSON schema as offered, when the runtime computed one. */
    schema_sha256: Type.Union([Sha256, Type.Null()]),
  },
  strict,
);
export type ManifestTool = Static<typeof ManifestTool>;

/** What the runtime reports: which prompt, skills and tools a turn used. One per turn. */
export const PromptManifestInput = Type.Object(
  {
    prompt: ManifestPrompt,
    skills: Type.Array(ManifestSkill, { maxItems: LIMITS.turnRecords.manifestMaxSkills }),
    tools: Type.Array(ManifestTool, { maxItems: LIMITS.turnRecords.manifestMaxTools }),
  },
  strict,
);
export type PromptManifestInput = Static<typeof PromptManifestInput>;

/** The stored record. `manifest_sha256` is over the canonical JSON of `{prompt, skills, tools}`. */
export const TurnPromptManifest = Type.Object({
  workspace_id: WorkspaceId,
  thread_id: ThreadId,
  turn_id: TurnId,
  ...PromptManifestInput.properties,
  manifest_sha256: Sha256,
  recorded_at: Timestamp,
  /** Journal position of the `turn.prompt_manifest.recorded` event. */
  event_position: Type.Integer({ minimum: 1 }),
});
export type TurnPromptManifest = Static<typeof TurnPromptManifest>;

export const RecordPromptManifestParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    thread_id: ThreadId,
    turn_id: TurnId,
    manifest: PromptManifestInput,
  },
  strict,
);
export type RecordPromptManifestParams = Static<typeof RecordPromptManifestParams>;

/** `recorded: false`: the same manifest was already recorded (a retry); a different one is a `conflict`. */
export const RecordPromptManifestResult = Type.Object({ manifest: TurnPromptManifest, recorded: Type.Boolean() });
export type RecordPromptManifestResult = Static<typeof RecordPromptManifestResult>;
