import type { TurnEventOf, TurnInputPart } from '@cairn/protocol';
import type { WriteContext } from '../../port/types.js';
import { policyJson } from '../../thread/thread-row.js';
import { touchThreadActivity } from '../../thread/touch-thread-activity.js';
import { addStatusChange, addTimeline } from './turn-writes.js';
import { isTerminalTurn, loadTurn } from './turn-state.js';
import { NOOP_ALREADY_STARTED, NOOP_ALREADY_TERMINAL, applied, violation } from '../../event-log/decision.js';
import type { Handler, PlacedTurnEnvelope, ProjectionDeps } from './types.js';

const THREAD = 'SELECT workspace_id, status FROM thread WHERE thread_id = ?';
const NEXT_THREAD_SEQ = 'SELECT max(thread_seq) AS seq FROM turn WHERE thread_id = ?';
const INSERT_TURN = `INSERT INTO turn (turn_id, workspace_id, thread_id, thread_seq, status, sandbox_policy, model, error, usage,
  item_count, open_recoveries, last_seq, started_at, updated_at, completed_at)
  VALUES (?, ?, ?, ?, 'running', ?, ?, NULL, NULL, 0, 0, ?, ?, ?, NULL)`;
const INSERT_INPUT = 'INSERT INTO turn_input (turn_id, ordinal, kind, text, attachment_id, name, mime_type) VALUES (?, ?, ?, ?, ?, ?, ?)';
const REACTIVATE_THREAD = "UPDATE thread SET status = 'active' WHERE thread_id = ? AND status <> 'active'";
const SET_THREAD_POLICY = 'UPDATE thread SET sandbox_policy = ? WHERE thread_id = ? AND sandbox_policy <> ?';

type Started = TurnEventOf<'turn.started'>;

/**
 * `turn.started`: the thread must exist in the event's workspace. Starting a turn again is
 * `noop_already_started` (or `noop_already_terminal` once it ended); the same id in another
 * thread or workspace is a violation.
 */
export const projectTurnStarted: Handler<Started> = async (ctx, env, deps) => {
  const existing = await loadTurn(ctx, env.turnId);
  if (existing) {
    if (existing.workspace_id !== env.workspaceId || existing.thread_id !== env.threadId) {
      return violation(`turn ${env.turnId} already exists in another thread or workspace`);
    }
    return isTerminalTurn(existing.status) ? NOOP_ALREADY_TERMINAL : NOOP_ALREADY_STARTED;
  }
  const thread = await ctx.get<{ workspace_id: string; status: string }>(THREAD, [env.threadId]);
  if (!thread || thread.workspace_id !== env.workspaceId) return violation(`thread ${env.threadId} not found in workspace ${env.workspaceId}`);
  return applied((env) => writeTurnStarted(ctx, env, deps));
};

async function writeTurnStarted(ctx: WriteContext, env: PlacedTurnEnvelope<Started>, deps: ProjectionDeps): Promise<void> {
  const { event } = env;
  const threadSeq = ((await ctx.get<{ seq: number | null }>(NEXT_THREAD_SEQ, [env.threadId]))?.seq ?? 0) + 1;
  const policy = event.sandbox_policy ? policyJson(event.sandbox_policy) : null;
  await ctx.run(INSERT_TURN, [env.turnId, env.workspaceId, env.threadId, threadSeq, policy, event.model ?? null, env.seq, env.at, env.at]);
  for (const [index, part] of event.input.entries()) await ctx.run(INSERT_INPUT, inputRow(env.turnId, index + 1, part));
  await addStatusChange(ctx, env, null, 'running', null);
  await addTimeline(ctx, env, { status: 'running', detail: { parts: event.input.length } });
  const text = event.input.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
  await deps.search.add(ctx, { workspaceId: env.workspaceId, threadId: env.threadId, turnId: env.turnId, itemId: null, text, at: env.at });
  if (deps.touchThreads) {
    await touchThreadActivity(ctx, env.threadId, env.at);
    await ctx.run(REACTIVATE_THREAD, [env.threadId]);
    if (policy !== null) await ctx.run(SET_THREAD_POLICY, [policy, env.threadId, policy]);
  }
}

function inputRow(turnId: string, ordinal: number, part: TurnInputPart): unknown[] {
  if (part.type === 'text') return [turnId, ordinal, 'text', part.text, null, null, null];
  return [turnId, ordinal, 'attachment', null, part.attachment_id, part.name ?? null, part.mime_type ?? null];
}
