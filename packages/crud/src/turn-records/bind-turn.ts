import {
  BindMcpParams,
  BindSkillParams,
  CairnError,
  TURN_RECORD_EVENT_TYPES,
  TurnRecordRefParams,
  type BindMcpResult,
  type BindSkillResult,
  type McpBindingInput,
  type McpBoundPayload,
  type SkillBoundPayload,
  type TurnBindings,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import { appendRecordEvent, type TurnRecordsDeps } from './turn-records-deps.js';
import { findMcpBinding, findSkillBinding, listMcpBindings, listSkillBindings, toMcpBinding, toSkillBinding } from './binding-rows.js';
import { sealJson } from './record-values.js';
import { requireTurn, requireTurnInWorkspace } from './turn-ref.js';

/** Binds a skill (at a version) to a turn: `turn.skill.bound` plus its row. Same binding again: `bound: false`; another version: `conflict`. */
export async function bindSkill(deps: TurnRecordsDeps, params: BindSkillParams): Promise<BindSkillResult> {
  const p = parseParams(BindSkillParams, params, 'turnRecords.bindSkill');
  const binding = sealJson(deps.events.journal.redact, p.binding).value;
  const type = TURN_RECORD_EVENT_TYPES.skillBound;
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireTurn(ctx, p.workspace_id, p.thread_id, p.turn_id);
    const existing = await findSkillBinding(ctx, p.turn_id, binding.skill_id);
    if (existing) {
      if (existing.version === binding.version && existing.sha256 === binding.sha256) return { binding: toSkillBinding(existing), bound: false };
      throw new CairnError('conflict', 'the turn already bound this skill at another version', { details: { turn_id: p.turn_id, skill_id: binding.skill_id } });
    }
    const payload: SkillBoundPayload = { type, turn_id: p.turn_id, thread_id: p.thread_id, binding };
    await appendRecordEvent(ctx, deps.events, p.workspace_id, p.turn_id, payload);
    return { binding: toSkillBinding((await findSkillBinding(ctx, p.turn_id, binding.skill_id))!), bound: true };
  });
}

/**
 * Binds an MCP server to a turn with the tools it exposed and its policy snapshot, redacted
 * (a policy is config: a secret belongs in a `secret://` ref, and a literal one is scrubbed).
 * Compared by the hash of the redacted canonical binding.
 */
export async function bindMcp(deps: TurnRecordsDeps, params: BindMcpParams): Promise<BindMcpResult> {
  const p = parseParams(BindMcpParams, params, 'turnRecords.bindMcp');
  const sealed = sealJson<McpBindingInput>(deps.events.journal.redact, p.binding);
  const serverId = sealed.value.server_id;
  const type = TURN_RECORD_EVENT_TYPES.mcpBound;
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    await requireTurn(ctx, p.workspace_id, p.thread_id, p.turn_id);
    const existing = await findMcpBinding(ctx, p.turn_id, serverId);
    if (existing) {
      if (existing.binding_sha256 === sealed.sha256) return { binding: toMcpBinding(existing), bound: false };
      throw new CairnError('conflict', 'the turn already bound this MCP server with another snapshot', { details: { turn_id: p.turn_id, server_id: serverId } });
    }
    const payload: McpBoundPayload = { type, turn_id: p.turn_id, thread_id: p.thread_id, binding: sealed.value, binding_sha256: sealed.sha256 };
    await appendRecordEvent(ctx, deps.events, p.workspace_id, p.turn_id, payload);
    return { binding: toMcpBinding((await findMcpBinding(ctx, p.turn_id, serverId))!), bound: true };
  });
}

/** Every skill and MCP binding of a turn. */
export async function listTurnBindings(deps: TurnRecordsDeps, params: TurnRecordRefParams): Promise<TurnBindings> {
  const p = parseParams(TurnRecordRefParams, params, 'turnRecords.listBindings');
  return deps.context.read(async (q) => {
    await requireTurnInWorkspace(q, p.workspace_id, p.turn_id);
    return { skills: (await listSkillBindings(q, p.turn_id)).map(toSkillBinding), mcp: (await listMcpBindings(q, p.turn_id)).map(toMcpBinding) };
  });
}
