import { Type, type Static } from 'typebox';
import { idSchema } from '../common/ids.js';

/**
 * Limits of the turn records (prompt manifests, skill/MCP bindings, retained LLM context,
 * recovery jobs, attachments). `crud` re-checks them for library callers.
 */
export const TURN_RECORD_LIMITS = {
  /** Redacted canonical JSON of one retained LLM context, in UTF-8 bytes. */
  llmContextMaxBytes: 16 * 1024 * 1024,
  llmContextMaxMessages: 10_000,
  manifestMaxSkills: 256,
  manifestMaxTools: 1024,
  mcpMaxToolNames: 1024,
  toolNameLength: 256,
  versionLength: 128,
  fileNameLength: 255,
  mediaTypeLength: 255,
  errorMessageLength: 2000,
  /** A recovery claim's lease: at least 1 ms, at most one day. */
  leaseMaxMs: 24 * 60 * 60 * 1000,
  /** Default and largest batch of one LLM-context prune pass. */
  pruneBatchDefault: 200,
  pruneBatchMax: 5000,
  /** How long a terminal turn's LLM context is kept: 7 days. */
  llmContextTtlDefaultMs: 7 * 24 * 60 * 60 * 1000,
} as const;

const id = idSchema;

export const SkillId = id('Skill id.');
export const McpServerId = id('MCP server id.');
export const PromptId = id('Prompt id.');
export const AttachmentId = id('Attachment id, unique across the gateway (client-suppliable).');
/** Derived from (workspace, turn, recovery id or item id), so a rebuild from the journal gives the same ids. */
export const RecoveryJobId = id('Recovery job id.');
export const WorkerId = id('Id of a worker claiming recovery jobs (process or host specific).');

export type SkillId = Static<typeof SkillId>;
export type McpServerId = Static<typeof McpServerId>;
export type PromptId = Static<typeof PromptId>;
export type AttachmentId = Static<typeof AttachmentId>;
export type RecoveryJobId = Static<typeof RecoveryJobId>;
export type WorkerId = Static<typeof WorkerId>;

/** Lower-case hex SHA-256. */
export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256.' });
export type Sha256 = Static<typeof Sha256>;

/** A version label as its publisher writes it (`1.2.0`, `2024-06-01`, a git sha). */
export const VersionLabel = Type.String({ minLength: 1, maxLength: TURN_RECORD_LIMITS.versionLength, pattern: '\\S' });

export const ToolName = Type.String({ minLength: 1, maxLength: TURN_RECORD_LIMITS.toolNameLength, pattern: '\\S' });
