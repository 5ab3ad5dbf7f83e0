import { McpBoundPayload, PromptManifestRecordedPayload, SkillBoundPayload } from '@cairn/protocol';
import { NOOP_ALREADY_STARTED, applied, violation } from '../event-log/decision.js';
import { payloadOf } from '../event-log/payload-of.js';
import type { Decision, Refusal } from '../event-log/types.js';
import { canonicalJson } from '../journal/canonical-json.js';
import type { JournalEvent, PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../store/store-context.js';
import { findMcpBinding, findSkillBinding, insertMcpBinding, insertSkillBinding } from './binding-rows.js';
import { findManifest, insertManifest } from './manifest-rows.js';

/** The turn a turn-record event names must be the stream it was appended to. */
function streamMismatch(event: PendingEvent, turnId: string): Refusal | undefined {
  if (event.streamType !== 'turn' || event.streamId !== turnId) {
    return violation(`${event.type} names turn ${turnId} but was appended to ${event.streamType} stream ${event.streamId}`);
  }
  return undefined;
}

/** `turn.prompt_manifest.recorded`: one manifest per turn; the same manifest again is a replay. */
export async function decidePromptManifest(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const parsed = payloadOf(PromptManifestRecordedPayload, event);
  if (!parsed.ok) return parsed.refusal;
  const p = parsed.value;
  const mismatch = streamMismatch(event, p.turn_id);
  if (mismatch) return mismatch;
  const existing = await findManifest(ctx, p.turn_id);
  if (existing) {
    return existing.manifest_sha256 === p.manifest_sha256 ? NOOP_ALREADY_STARTED : violation('the turn already has a different prompt manifest');
  }
  return applied((placed: JournalEvent) =>
    insertManifest(ctx, {
      turn_id: p.turn_id,
      workspace_id: event.workspaceId,
      thread_id: p.thread_id,
      prompt_id: p.manifest.prompt.prompt_id,
      prompt_version: p.manifest.prompt.version,
      prompt_sha256: p.manifest.prompt.sha256,
      skills: canonicalJson(p.manifest.skills),
      tools: canonicalJson(p.manifest.tools),
      manifest_sha256: p.manifest_sha256,
      recorded_at: event.recordedAt,
      event_position: placed.position,
    }),
  );
}

/** `turn.skill.bound`: one binding per (turn, skill); the same binding again is a replay. */
export async function decideSkillBinding(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const parsed = payloadOf(SkillBoundPayload, event);
  if (!parsed.ok) return parsed.refusal;
  const p = parsed.value;
  const mismatch = streamMismatch(event, p.turn_id);
  if (mismatch) return mismatch;
  const existing = await findSkillBinding(ctx, p.turn_id, p.binding.skill_id);
  if (existing) {
    const same = existing.version === p.binding.version && existing.sha256 === p.binding.sha256;
    return same ? NOOP_ALREADY_STARTED : violation(`the turn already bound skill ${p.binding.skill_id} at another version`);
  }
  return applied((placed: JournalEvent) =>
    insertSkillBinding(ctx, {
      turn_id: p.turn_id,
      skill_id: p.binding.skill_id,
      workspace_id: event.workspaceId,
      thread_id: p.thread_id,
      version: p.binding.version,
      sha256: p.binding.sha256,
      bound_at: event.recordedAt,
      event_position: placed.position,
    }),
  );
}

/** `turn.mcp.bound`: one binding per (turn, server), compared by its hash. */
export async function decideMcpBinding(ctx: WriteContext, event: PendingEvent): Promise<Decision> {
  const parsed = payloadOf(McpBoundPayload, event);
  if (!parsed.ok) return parsed.refusal;
  const p = parsed.value;
  const mismatch = streamMismatch(event, p.turn_id);
  if (mismatch) return mismatch;
  const existing = await findMcpBinding(ctx, p.turn_id, p.binding.server_id);
  if (existing) {
    return existing.binding_sha256 === p.binding_sha256
      ? NOOP_ALREADY_STARTED
      : violation(`the turn already bound MCP server ${p.binding.server_id} with another snapshot`);
  }
  return applied((placed: JournalEvent) =>
    insertMcpBinding(ctx, {
      turn_id: p.turn_id,
      server_id: p.binding.server_id,
      workspace_id: event.workspaceId,
      thread_id: p.thread_id,
      server_version: p.binding.server_version,
      tool_names: canonicalJson(p.binding.tool_names),
      policy: canonicalJson(p.binding.policy),
      binding_sha256: p.binding_sha256,
      bound_at: event.recordedAt,
      event_position: placed.position,
    }),
  );
}
