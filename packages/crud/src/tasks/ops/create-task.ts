import { CairnError, TASK_LIMITS, TaskCreateParams, type AgentSpec, type Task, type TaskDependency, type TaskDetail } from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import type { WriteContext } from '../../port/types.js';
import { evaluateDependencies } from '../scheduler/dependencies.js';
import { appendTaskEvent, lockTaskState } from '../task-events.js';
import { findTask, type TriggerRecord } from '../task-rows.js';
import { deriveStatus } from '../task-status.js';
import type { TaskClockOptions, TaskDeps } from '../task-types.js';
import { firstFireAt, validateTrigger } from '../trigger-math.js';
import { readDetail } from '../read/read-tasks.js';

function notInWorkspace(what: string, id: string, workspaceId: string, reason: string): CairnError {
  return new CairnError('not_found', `no ${what} ${id} in workspace ${workspaceId}`, { details: { reason, id, workspace_id: workspaceId } });
}

function invalid(reason: string, message: string): CairnError {
  return new CairnError('invalid_params', message, { details: { reason } });
}

function jsonSize(value: unknown, field: string): void {
  if (value !== undefined && JSON.stringify(value).length > TASK_LIMITS.jsonBytes) {
    throw new CairnError('payload_too_large', `task/create: ${field} is larger than ${TASK_LIMITS.jsonBytes} bytes`, { details: { field } });
  }
}

/** Every check that needs no database: policies that only make sense together, the trigger math. */
function checkShape(p: TaskCreateParams, now: Date): void {
  jsonSize(p.input, 'input');
  jsonSize(p.executor_config, 'executor_config');
  if (p.executor_kind === 'agent' && p.agent === undefined) throw invalid('agent_spec_required', 'task/create: an agent task needs `agent` (model, instructions, tools)');
  if (p.lock?.scope === 'path' && p.lock.path === undefined) throw invalid('lock_path_required', 'task/create: a path lock needs `path`');
  if (p.deliveries?.some((d) => d.kind === 'owner_thread') && p.owner_thread_id === undefined) {
    throw invalid('owner_thread_required', 'task/create: an owner_thread delivery needs owner_thread_id');
  }
  p.triggers.forEach((spec, index) => validateTrigger(spec, index, now));
  for (const spec of p.triggers) {
    if (spec.kind === 'dependency' && p.task_id !== undefined && spec.task_ids.includes(p.task_id)) {
      throw invalid('dependency_cycle', `task/create: task ${p.task_id} cannot depend on itself`);
    }
  }
}

/** Whether `start` reaches `target` walking upstream (depends_on) edges: the new edge target -> start would close a cycle. */
async function reachesUpstream(ctx: WriteContext, starts: readonly string[], target: string): Promise<boolean> {
  const seen = new Set<string>();
  let frontier = [...starts];
  while (frontier.length > 0 && seen.size < 10_000) {
    if (frontier.includes(target)) return true;
    frontier.forEach((id) => seen.add(id));
    const rows = await ctx.all<{ depends_on_task_id: string }>(
      `SELECT depends_on_task_id FROM task_dependency WHERE task_id IN (${frontier.map(() => '?').join(', ')})`,
      frontier,
    );
    frontier = [...new Set(rows.map((r) => r.depends_on_task_id))].filter((id) => !seen.has(id));
  }
  return false;
}

async function threadInWorkspace(ctx: WriteContext, threadId: string, workspaceId: string, reason: string): Promise<void> {
  const row = await ctx.get<{ workspace_id: string }>('SELECT workspace_id FROM thread WHERE thread_id = ?', [threadId]);
  if (!row || row.workspace_id !== workspaceId) throw notInWorkspace('thread', threadId, workspaceId, reason);
}

/**
 * `task/create`: validates everything first (schema, policies, trigger math; then, under the
 * workspace's lock, the parent, threads and upstream tasks are in this workspace and the
 * dependencies close no cycle), then appends ONE `task.created` event carrying the task, its
 * triggers with their first fire times, dependencies and agent spec. A dependency already
 * met (or impossible) at creation is settled in the same transaction.
 */
export async function createTask(deps: TaskDeps, params: TaskCreateParams, options: TaskClockOptions): Promise<TaskDetail> {
  const p = parseParams(TaskCreateParams, params, 'task/create');
  const nowDate = options.now ?? new Date(deps.context.now());
  checkShape(p, nowDate);
  const now = nowDate.toISOString();
  const taskId = p.task_id ?? deps.context.newId('task');
  const detail = await deps.context.write(async (ctx) => {
    await ctx.dialect.lockWorkspace(ctx, p.workspace_id);
    if (!(await ctx.get('SELECT workspace_id FROM workspace WHERE workspace_id = ?', [p.workspace_id]))) {
      throw new CairnError('not_found', `no workspace ${p.workspace_id}`, { details: { workspace_id: p.workspace_id } });
    }
    const existing = await findTask(ctx, taskId);
    if (existing) {
      // Same key: the retry of a create that landed answers the task; anything else is a duplicate id.
      if (p.idempotency_key !== undefined && existing.workspace_id === p.workspace_id) {
        const [first] = await deps.events.appendEvents(ctx, [
          { workspaceId: p.workspace_id, streamType: 'task', streamId: taskId, type: 'task.created', payload: { task: existing, change: 'task.created' }, idempotencyKey: `task.create:${p.idempotency_key}` },
        ]);
        if (first?.duplicate) return null;
      }
      throw new CairnError('conflict', `task ${taskId} already exists`, { details: { reason: 'duplicate_task_id', task_id: taskId } });
    }
    let root = taskId;
    let depth = 0;
    if (p.parent_task_id !== undefined) {
      const parent = await findTask(ctx, p.parent_task_id);
      if (!parent || parent.workspace_id !== p.workspace_id) throw notInWorkspace('task', p.parent_task_id, p.workspace_id, 'parent_not_in_workspace');
      root = parent.root_task_id;
      depth = parent.depth + 1;
    }
    if (p.owner_thread_id !== undefined) await threadInWorkspace(ctx, p.owner_thread_id, p.workspace_id, 'owner_thread_not_in_workspace');
    for (const d of p.deliveries ?? []) if (d.kind === 'thread') await threadInWorkspace(ctx, d.thread_id, p.workspace_id, 'delivery_thread_not_in_workspace');
    const dependencies: TaskDependency[] = [];
    const triggers: TriggerRecord[] = [];
    for (const [ordinal, spec] of p.triggers.entries()) {
      const trigger_id = `${deps.context.newId('trg')}`;
      if (spec.kind === 'dependency') {
        for (const upstream of new Set(spec.task_ids)) {
          const up = await findTask(ctx, upstream);
          if (!up || up.workspace_id !== p.workspace_id) throw notInWorkspace('task', upstream, p.workspace_id, 'dependency_not_in_workspace');
          dependencies.push({ task_id: taskId, depends_on_task_id: upstream, workspace_id: p.workspace_id, trigger_id, condition: spec.condition, on_unmet: spec.on_unmet ?? 'fail' });
        }
        if (await reachesUpstream(ctx, spec.task_ids, taskId)) throw invalid('dependency_cycle', `task/create: the dependencies of ${taskId} would form a cycle`);
      }
      const armed = p.draft !== true;
      triggers.push({
        trigger_id,
        task_id: taskId,
        workspace_id: p.workspace_id,
        ordinal,
        spec,
        status: armed ? 'active' : 'paused',
        next_fire_at: armed ? firstFireAt(spec, nowDate) : null,
        last_fired_at: null,
        fire_count: 0,
        created_at: now,
        updated_at: now,
      });
    }
    const task: Task = {
      task_id: taskId,
      workspace_id: p.workspace_id,
      root_task_id: root,
      parent_task_id: p.parent_task_id ?? null,
      depth,
      title: deps.context.redactText(p.title),
      status: p.draft === true ? 'draft' : deriveStatus([], triggers, null),
      paused_from: null,
      executor_kind: p.executor_kind,
      executor_config: p.executor_config ?? null,
      input: p.input ?? null,
      owner_thread_id: p.owner_thread_id ?? null,
      retry: p.retry ?? { kind: 'none' },
      timeouts: p.timeouts ?? {},
      deliveries: p.deliveries ?? [],
      delivery_policy: p.delivery_policy ?? {},
      lock: p.lock ?? null,
      run_count: 0,
      last_run_id: null,
      result: null,
      error: null,
      created_at: now,
      updated_at: now,
      completed_at: null,
      last_seq: 0,
    };
    if (task.status === 'completed') task.completed_at = now;
    const agent: AgentSpec | null =
      p.agent === undefined
        ? null
        : {
            task_id: taskId,
            workspace_id: p.workspace_id,
            model: p.agent.model ?? null,
            instructions: p.agent.instructions,
            tools: p.agent.tools ?? [],
            max_turns: p.agent.max_turns ?? null,
            max_tokens: p.agent.max_tokens ?? null,
          };
    await appendTaskEvent(ctx, deps, 'task.created', { task, triggers, dependencies, agent }, {
      now,
      idempotencyKey: p.idempotency_key === undefined ? undefined : `task.create:${p.idempotency_key}`,
    });
    const state = (await lockTaskState(ctx, taskId, p.workspace_id))!;
    await evaluateDependencies(ctx, deps, state, now);
    return readDetail(ctx, taskId);
  });
  return detail ?? deps.context.read((q) => readDetail(q, taskId));
}
