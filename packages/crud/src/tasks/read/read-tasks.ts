import {
  CairnError,
  LIMITS,
  TaskAgendaParams,
  TaskDeliveriesParams,
  TaskEventsParams,
  TaskGetParams,
  TaskListParams,
  TaskTreeParams,
  type AppendedTaskEvent,
  type PageResult,
  type Task,
  type TaskAgendaEntry,
  type TaskAgendaResult,
  type TaskDeliveriesResult,
  type TaskDetail,
  type TaskEventsResult,
  type TaskTreeResult,
} from '@cairn/protocol';
import { parseParams } from '../../errors/parse-params.js';
import { readStream } from '../../journal/read-stream.js';
import { decodeCursor, toPage } from '../../pagination/cursor.js';
import type { ReadContext } from '../../port/types.js';
import { taskNotFound } from '../task-events.js';
import type { TaskEventPayload } from '../task-payload.js';
import {
  DELIVERY_COLUMNS,
  RUN_COLUMNS,
  TASK_COLUMNS,
  TRIGGER_COLUMNS,
  findAgent,
  findTask,
  taskTriggers,
  toAttempt,
  toDelivery,
  toDependency,
  toRun,
  toTask,
  toTrigger,
  type Row,
} from '../task-rows.js';
import type { TaskClockOptions, TaskDeps } from '../task-types.js';
import { instantsBetween } from '../trigger-math.js';

const RECENT_RUNS = 20;
/** Tasks one `task/tree` answer holds at most (the tree's first by depth). */
export const TASK_TREE_MAX = 2000;

/** The task with its triggers, dependencies, agent spec and latest runs (inside any read or write). */
export async function readDetail(q: ReadContext, taskId: string): Promise<TaskDetail> {
  const task = (await findTask(q, taskId))!;
  const triggers = (await taskTriggers(q, taskId)).map(({ ordinal: _ordinal, ...t }) => t);
  const dependencies = (await q.all<Row>('SELECT task_id, depends_on_task_id, workspace_id, trigger_id, condition, on_unmet FROM task_dependency WHERE task_id = ? ORDER BY depends_on_task_id', [taskId])).map(toDependency);
  const runs = (await q.all<Row>(`SELECT ${RUN_COLUMNS} FROM task_run WHERE task_id = ? ORDER BY queued_at DESC, run_id DESC LIMIT ?`, [taskId, RECENT_RUNS])).map(toRun);
  return { task, triggers, dependencies, agent: await findAgent(q, taskId), runs };
}

async function taskIn(q: ReadContext, workspaceId: string, taskId: string): Promise<Task> {
  const task = await findTask(q, taskId);
  if (!task || task.workspace_id !== workspaceId) throw taskNotFound(workspaceId, taskId);
  return task;
}

export async function getTask(deps: TaskDeps, params: TaskGetParams): Promise<TaskDetail> {
  const p = parseParams(TaskGetParams, params, 'task/get');
  return deps.context.read(async (q) => {
    await taskIn(q, p.workspace_id, p.task_id);
    return readDetail(q, p.task_id);
  });
}

/** Newest first by (created_at, task_id), keyset-paged over `idx_task_workspace_created` (or `idx_task_parent`). */
export async function listTasks(deps: TaskDeps, params: TaskListParams): Promise<PageResult<Task>> {
  const p = parseParams(TaskListParams, params, 'task/list');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify([p.workspace_id, p.status ?? null, p.parent_task_id ?? null, p.roots_only ?? false]);
  const where = ['workspace_id = ?'];
  const args: unknown[] = [p.workspace_id];
  if (p.parent_task_id !== undefined) {
    where.push('parent_task_id = ?');
    args.push(p.parent_task_id);
  } else if (p.roots_only) where.push('parent_task_id IS NULL');
  if (p.status !== undefined) {
    where.push(`status IN (${p.status.map(() => '?').join(', ')})`);
    args.push(...p.status);
  }
  if (p.cursor !== undefined) {
    const [createdAt, id] = decodeCursor(p.cursor, filter);
    where.push('(created_at < ? OR (created_at = ? AND task_id < ?))');
    args.push(createdAt, createdAt, id);
  }
  return deps.context.read(async (q) => {
    const rows = await q.all<Row>(`SELECT ${TASK_COLUMNS} FROM task WHERE ${where.join(' AND ')} ORDER BY created_at DESC, task_id DESC LIMIT ?`, [...args, limit + 1]);
    return toPage(rows, limit, toTask, (r) => [String(r.created_at), String(r.task_id)], filter);
  });
}

/** The subtree under a task: its root's whole tree in one range of `idx_task_root` (parents first), cut to the descendants. */
export async function taskTree(deps: TaskDeps, params: TaskTreeParams): Promise<TaskTreeResult> {
  const p = parseParams(TaskTreeParams, params, 'task/tree');
  return deps.context.read(async (q) => {
    const top = await taskIn(q, p.workspace_id, p.task_id);
    const rows = await q.all<Row>(`SELECT ${TASK_COLUMNS} FROM task WHERE root_task_id = ? AND depth >= ? ORDER BY depth, task_id LIMIT ?`, [
      top.root_task_id,
      top.depth,
      TASK_TREE_MAX + 1,
    ]);
    const inside = new Set([top.task_id]);
    const tasks: Task[] = [];
    for (const task of rows.map(toTask)) {
      if (task.task_id === top.task_id || (task.parent_task_id !== null && inside.has(task.parent_task_id))) {
        inside.add(task.task_id);
        tasks.push(task);
      }
    }
    const truncated = rows.length > TASK_TREE_MAX;
    return { root_task_id: top.root_task_id, tasks: tasks.slice(0, TASK_TREE_MAX), truncated };
  });
}

/** The task's journaled events, in stream order (the journal's `task` stream of that id). */
export async function taskEvents(deps: TaskDeps, params: TaskEventsParams): Promise<TaskEventsResult> {
  const p = parseParams(TaskEventsParams, params, 'task/events');
  const limit = p.limit ?? 100;
  return deps.context.read(async (q) => {
    await taskIn(q, p.workspace_id, p.task_id);
    const events = await readStream(q, 'task', p.task_id, { afterStreamSeq: p.after_sequence ?? 0, limit: limit + 1 });
    const more = events.length > limit;
    const kept = events.slice(0, limit).map((e): AppendedTaskEvent => {
      const payload = e.payload as TaskEventPayload;
      const run = payload.run ?? null;
      return {
        event_id: e.position,
        task_id: e.streamId,
        run_id: run?.run_id ?? payload.delivery?.run_id ?? null,
        thread_id: e.threadId ?? run?.thread_id ?? null,
        turn_id: run?.turn_id ?? null,
        sequence: e.streamSeq,
        seq: e.workspaceSeq,
        event_type: e.type,
        payload: e.payload,
        workspace_id: e.workspaceId,
        root_task_id: payload.task.root_task_id,
        parent_task_id: payload.task.parent_task_id,
        timestamp: e.recordedAt,
      };
    });
    return { events: kept, next_after_sequence: more ? kept.at(-1)!.sequence : null };
  });
}

/** Upcoming firings in [from, to), computed from the workspace's armed triggers; nothing written. */
export async function taskAgenda(deps: TaskDeps, params: TaskAgendaParams, options: TaskClockOptions): Promise<TaskAgendaResult> {
  const p = parseParams(TaskAgendaParams, params, 'task/agenda');
  const now = options.now ?? new Date(deps.context.now());
  const fromMs = p.from === undefined ? now.getTime() : Date.parse(p.from);
  const toMs = p.to === undefined ? fromMs + 24 * 60 * 60 * 1000 : Date.parse(p.to);
  if (toMs <= fromMs) throw new CairnError('invalid_params', 'task/agenda: `to` must be after `from`', { details: { reason: 'empty_window' } });
  const limit = p.limit ?? 100;
  return deps.context.read(async (q) => {
    const rows = await q.all<Row>(
      `SELECT ${TRIGGER_COLUMNS.split(', ').map((c) => `g.${c}`).join(', ')}, t.title FROM task_trigger g JOIN task t ON t.task_id = g.task_id
       WHERE g.workspace_id = ? AND g.next_fire_at IS NOT NULL AND g.next_fire_at < ? ORDER BY g.next_fire_at, g.trigger_id LIMIT 5000`,
      [p.workspace_id, new Date(toMs).toISOString()],
    );
    const entries: TaskAgendaEntry[] = [];
    let truncated = rows.length >= 5000;
    for (const row of rows) {
      const trigger = toTrigger(row);
      for (const fire_at of instantsBetween(trigger.spec, trigger.next_fire_at!, fromMs, toMs, limit + 1)) {
        entries.push({ task_id: trigger.task_id, trigger_id: trigger.trigger_id, title: String(row.title), fire_at });
      }
    }
    entries.sort((a, b) => (a.fire_at < b.fire_at ? -1 : a.fire_at > b.fire_at ? 1 : a.trigger_id < b.trigger_id ? -1 : 1));
    if (entries.length > limit) truncated = true;
    return { entries: entries.slice(0, limit), truncated };
  });
}

/** A task's deliveries, newest first, each with its attempts (`idx_task_delivery_task`). */
export async function taskDeliveries(deps: TaskDeps, params: TaskDeliveriesParams): Promise<TaskDeliveriesResult> {
  const p = parseParams(TaskDeliveriesParams, params, 'task/deliveries');
  const limit = p.limit ?? LIMITS.pageDefault;
  const filter = JSON.stringify([p.workspace_id, p.task_id]);
  return deps.context.read(async (q) => {
    await taskIn(q, p.workspace_id, p.task_id);
    const args: unknown[] = [p.task_id];
    let after = '';
    if (p.cursor !== undefined) {
      const [createdAt, id] = decodeCursor(p.cursor, filter);
      after = ' AND (created_at < ? OR (created_at = ? AND delivery_id < ?))';
      args.push(createdAt, createdAt, id);
    }
    const rows = await q.all<Row>(`SELECT ${DELIVERY_COLUMNS} FROM task_delivery WHERE task_id = ?${after} ORDER BY created_at DESC, delivery_id DESC LIMIT ?`, [...args, limit + 1]);
    const page = toPage(rows, limit, toDelivery, (r) => [String(r.created_at), String(r.delivery_id)], filter);
    const items = [];
    for (const delivery of page.items) {
      const attempts = (await q.all<Row>('SELECT delivery_id, attempt, workspace_id, owner, outcome, response_status, error, attempted_at FROM task_delivery_attempt WHERE delivery_id = ? ORDER BY attempt', [delivery.delivery_id])).map(toAttempt);
      items.push({ delivery, attempts });
    }
    return { items, next_cursor: page.next_cursor };
  });
}
