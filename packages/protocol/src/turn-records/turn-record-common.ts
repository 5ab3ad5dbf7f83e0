import { Type, type Static } from 'typebox';
import { idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';

/** @deprecated Use `LIMITS.turnRecords`: this view stays while crud imports it. */
export const TURN_RECORD_LIMITS = LIMITS.turnRecords;

const id = idSchema;

export const SkillId = id('Skill id.');
export const McpServerId = id('MCP server id.');
export const PromptId = id('Prompt id.');
/** Derived from (workspace, turn, recovery id or item id), so a rebuild from the journal gives the same ids. */
export const RecoveryJobId = id('Recovery job id.');
export const WorkerId = id('Id of a worker claiming recovery jobs (process or host specific).');

export type SkillId = Static<typeof SkillId>;
export type McpServerId = Static<typeof McpServerId>;
export type PromptId = Static<typeof PromptId>;
export type RecoveryJobId = Static<typeof RecoveryJobId>;
export type WorkerId = Static<typeof WorkerId>;

/** Lower-case hex SHA-256. */
export const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'Lower-case hex SHA-256.' });
export type Sha256 = Static<typeof Sha256>;

/** A version label as its publisher writes it (`1.2.0`, `2024-06-01`, a git sha). */
export const VersionLabel = Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.versionLength, pattern: '\\S' });

export const ToolName = Type.String({ minLength: 1, maxLength: LIMITS.turnRecords.toolNameLength, pattern: '\\S' });
