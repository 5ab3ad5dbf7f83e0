import type { McpPolicySnapshot, TurnMcpBinding, TurnSkillBinding } from '@cairn/protocol';
import type { ReadContext, WriteContext } from '../store/store-context.js';

export interface SkillBindingRow {
  turn_id: string;
  skill_id: string;
  workspace_id: string;
  thread_id: string;
  version: string;
  sha256: string | null;
  bound_at: string;
  event_position: number;
}

export interface McpBindingRow {
  turn_id: string;
  server_id: string;
  workspace_id: string;
  thread_id: string;
  server_version: string | null;
  tool_names: string;
  policy: string;
  binding_sha256: string;
  bound_at: string;
  event_position: number;
}

const SKILL_COLUMNS = 'turn_id, skill_id, workspace_id, thread_id, version, sha256, bound_at, event_position';
const MCP_COLUMNS = 'turn_id, server_id, workspace_id, thread_id, server_version, tool_names, policy, binding_sha256, bound_at, event_position';

export function findSkillBinding(q: ReadContext, turnId: string, skillId: string): Promise<SkillBindingRow | undefined> {
  return q.get<SkillBindingRow>(`SELECT ${SKILL_COLUMNS} FROM turn_skill_binding WHERE turn_id = ? AND skill_id = ?`, [turnId, skillId]);
}

export function listSkillBindings(q: ReadContext, turnId: string): Promise<SkillBindingRow[]> {
  return q.all<SkillBindingRow>(`SELECT ${SKILL_COLUMNS} FROM turn_skill_binding WHERE turn_id = ? ORDER BY skill_id`, [turnId]);
}

export async function insertSkillBinding(ctx: WriteContext, row: SkillBindingRow): Promise<void> {
  await ctx.run(`INSERT INTO turn_skill_binding (${SKILL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.turn_id,
    row.skill_id,
    row.workspace_id,
    row.thread_id,
    row.version,
    row.sha256,
    row.bound_at,
    row.event_position,
  ]);
}

export function findMcpBinding(q: ReadContext, turnId: string, serverId: string): Promise<McpBindingRow | undefined> {
  return q.get<McpBindingRow>(`SELECT ${MCP_COLUMNS} FROM turn_mcp_binding WHERE turn_id = ? AND server_id = ?`, [turnId, serverId]);
}

export function listMcpBindings(q: ReadContext, turnId: string): Promise<McpBindingRow[]> {
  return q.all<McpBindingRow>(`SELECT ${MCP_COLUMNS} FROM turn_mcp_binding WHERE turn_id = ? ORDER BY server_id`, [turnId]);
}

export async function insertMcpBinding(ctx: WriteContext, row: McpBindingRow): Promise<void> {
  await ctx.run(`INSERT INTO turn_mcp_binding (${MCP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
    row.turn_id,
    row.server_id,
    row.workspace_id,
    row.thread_id,
    row.server_version,
    row.tool_names,
    row.policy,
    row.binding_sha256,
    row.bound_at,
    row.event_position,
  ]);
}

export function toSkillBinding(row: SkillBindingRow): TurnSkillBinding {
  return {
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    skill_id: row.skill_id,
    version: row.version,
    sha256: row.sha256,
    bound_at: row.bound_at,
    event_position: row.event_position,
  };
}

export function toMcpBinding(row: McpBindingRow): TurnMcpBinding {
  return {
    workspace_id: row.workspace_id,
    thread_id: row.thread_id,
    turn_id: row.turn_id,
    server_id: row.server_id,
    server_version: row.server_version,
    tool_names: JSON.parse(row.tool_names) as string[],
    policy: JSON.parse(row.policy) as McpPolicySnapshot,
    binding_sha256: row.binding_sha256,
    bound_at: row.bound_at,
    event_position: row.event_position,
  };
}
