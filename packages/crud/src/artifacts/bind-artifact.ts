import {
  ArtifactBindParams,
  CairnError,
  DEFAULT_BINDING_DIRECTION,
  type ArtifactBindResult,
  type ArtifactBinding,
  type ArtifactBindingInput,
  type ArtifactBoundPayload,
  type BindingScope,
} from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { WriteContext } from '../port/types.js';
import { requireThread } from '../thread/thread-row.js';
import { requireTurnInWorkspace } from '../turn-records/turn-ref.js';
import { appendArtifactEvents, type ArtifactDeps, type ArtifactEventInput } from './artifact-deps.js';
import { BINDING_COLUMNS, assertArtifactStatus, bindingKeyOf, requireArtifact, requireVersion, toBinding, type BindingRow } from './artifact-rows.js';

/**
 * The narrowest scope a binding names: message, else item or tool call, else turn, else task
 * run or task, else thread; a binding naming nothing is at workspace scope (every artifact is
 * in its workspace whatever it is bound to).
 */
export function scopeOf(b: Pick<ArtifactBinding, 'thread_id' | 'turn_id' | 'message_id' | 'item_id' | 'tool_call_id' | 'task_id' | 'task_run_id'>): BindingScope {
  if (b.message_id !== null) return 'message';
  if (b.item_id !== null) return 'item';
  if (b.tool_call_id !== null) return 'tool_call';
  if (b.turn_id !== null) return 'turn';
  if (b.task_run_id !== null) return 'task_run';
  if (b.task_id !== null) return 'task';
  if (b.thread_id !== null) return 'thread';
  return 'workspace';
}

const invalid = (message: string, details: Record<string, unknown>) => new CairnError('invalid_params', message, { details });

/**
 * Turns a binding input into the binding to record, checking its scope exists in the
 * workspace: a turn must exist (its thread is filled in, and a thread named beside it must be
 * that one); a thread must exist, so a draft thread that `thread/start` has not materialized
 * is `not_found` exactly as `thread/get` answers it. A message, item or tool call lives in a
 * turn, so it needs one. Task ids are recorded as given (tasks are another store's).
 */
export async function resolveBinding(
  ctx: WriteContext,
  deps: ArtifactDeps,
  input: ArtifactBindingInput,
  target: { workspace_id: string; artifact_id: string; version_id: string },
  now: string,
): Promise<ArtifactBinding> {
  let threadId = input.thread_id ?? null;
  const turnId = input.turn_id ?? null;
  if (turnId === null && (input.message_id !== undefined || input.item_id !== undefined || input.tool_call_id !== undefined)) {
    throw invalid('a message, item or tool call binding names its turn', { binding_kind: input.binding_kind });
  }
  if (turnId !== null) {
    const turn = await requireTurnInWorkspace(ctx, target.workspace_id, turnId);
    if (threadId !== null && threadId !== turn.thread_id) throw invalid('the turn belongs to another thread', { turn_id: turnId, thread_id: threadId });
    threadId = turn.thread_id;
  } else if (threadId !== null) {
    await requireThread(ctx, target.workspace_id, threadId);
  }
  const fields = {
    binding_kind: input.binding_kind,
    direction: input.direction ?? DEFAULT_BINDING_DIRECTION[input.binding_kind],
    version_id: input.pin_version === true ? target.version_id : null,
    thread_id: threadId,
    turn_id: turnId,
    message_id: input.message_id ?? null,
    item_id: input.item_id ?? null,
    tool_call_id: input.tool_call_id ?? null,
    task_id: input.task_id ?? null,
    task_run_id: input.task_run_id ?? null,
  };
  return {
    binding_id: deps.context.newId('abd'),
    artifact_id: target.artifact_id,
    workspace_id: target.workspace_id,
    scope: scopeOf(fields),
    ...fields,
    created_at: now,
  };
}

/** The binding with the same identity, if the artifact has one. */
export function findSameBinding(ctx: WriteContext, binding: ArtifactBinding): Promise<BindingRow | undefined> {
  return ctx.get<BindingRow>(`SELECT ${BINDING_COLUMNS} FROM artifact_binding WHERE artifact_id = ? AND binding_key = ?`, [binding.artifact_id, bindingKeyOf(binding)]);
}

export function boundEvent(binding: ArtifactBinding): ArtifactEventInput {
  const payload: ArtifactBoundPayload = { change: 'bound', artifact_id: binding.artifact_id, binding };
  return { streamId: binding.artifact_id, type: 'artifact.bound', payload, threadId: binding.thread_id, recordedAt: binding.created_at };
}

/**
 * Binds an artifact (pinned to the named or current version with `pin_version`) to a scope:
 * `artifact.bound`. The same binding again answers it (`created: false`) and appends nothing.
 * A deleted artifact is `artifact_unavailable` (restore it first).
 */
export async function bindArtifact(deps: ArtifactDeps, params: ArtifactBindParams): Promise<ArtifactBindResult> {
  const p = parseParams(ArtifactBindParams, params, 'artifacts.bind');
  return deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    const artifact = await requireArtifact(ctx, p.workspace_id, p.artifact_id);
    assertArtifactStatus(artifact, ['ready', 'pending', 'quarantined', 'failed'], 'bind');
    const versionId = p.version_id === undefined ? artifact.current_version_id : (await requireVersion(ctx, p.workspace_id, p.version_id, p.artifact_id)).version_id;
    if (p.version_id !== undefined && p.binding.pin_version !== true) {
      throw invalid('naming a version binds that version: set binding.pin_version', { version_id: p.version_id });
    }
    const binding = await resolveBinding(ctx, deps, p.binding, { workspace_id: p.workspace_id, artifact_id: p.artifact_id, version_id: versionId }, deps.context.now());
    const same = await findSameBinding(ctx, binding);
    if (same) return { binding: toBinding(same), created: false };
    await appendArtifactEvents(ctx, deps, p.workspace_id, [boundEvent(binding)]);
    return { binding, created: true };
  });
}
