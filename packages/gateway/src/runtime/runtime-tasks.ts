import type { CrudStore } from '@cairn/crud';
import { CairnError, hasErrorCode, type Task, type TaskDetail, type TaskStatus } from '@cairn/protocol';
import type { RuntimeOptions } from './runtime-options.js';
import { withRuntimeStore } from './runtime-tokens.js';

export interface ListTasksOptions extends RuntimeOptions {
  /** Only this workspace (default every workspace). */
  workspaceId?: string;
  status?: TaskStatus[];
  /** At most this many tasks in all (default 1000). */
  limit?: number;
}

/** `cairn tasks list`: tasks newest first per workspace, of one workspace or all of them, at most `limit`. */
export function listTasks(options: ListTasksOptions): Promise<Task[]> {
  const limit = options.limit ?? 1000;
  return withRuntimeStore(options, async (store) => {
    const workspaces = options.workspaceId !== undefined ? [(await store.workspaces.get({ workspace_id: options.workspaceId })).workspace_id] : await allWorkspaces(store);
    const tasks: Task[] = [];
    for (const workspaceId of workspaces) {
      let cursor: string | undefined;
      while (tasks.length < limit) {
        const page = await store.tasks.list({
          workspace_id: workspaceId,
          limit: Math.min(200, limit - tasks.length),
          ...(options.status ? { status: options.status } : {}),
          ...(cursor ? { cursor } : {}),
        });
        tasks.push(...page.items);
        if (page.next_cursor === null) break;
        cursor = page.next_cursor;
      }
    }
    return tasks.slice(0, limit);
  });
}

/** `cairn tasks show`: the task (found in whichever workspace holds it unless `workspaceId` names one), with triggers, dependencies and latest runs. */
export function showTask(options: RuntimeOptions & { taskId: string; workspaceId?: string }): Promise<TaskDetail> {
  return withRuntimeStore(options, async (store) => store.tasks.get({ workspace_id: await workspaceOfTask(store, options.taskId, options.workspaceId), task_id: options.taskId }));
}

/**
 * `cairn tasks cancel`: the task and its open runs end `cancelled` (a gateway serving the home
 * stops the run at its next heartbeat: its lease is gone). Already terminal: `conflict`.
 */
export function cancelTask(options: RuntimeOptions & { taskId: string; workspaceId?: string; reason?: string }): Promise<Task> {
  return withRuntimeStore(options, async (store) =>
    store.tasks.cancel({
      workspace_id: await workspaceOfTask(store, options.taskId, options.workspaceId),
      task_id: options.taskId,
      ...(options.reason !== undefined ? { reason: options.reason } : {}),
    }),
  );
}

async function allWorkspaces(store: CrudStore): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await store.workspaces.list({ limit: 200, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((w) => w.workspace_id));
    if (page.next_cursor === null) return ids;
    cursor = page.next_cursor;
  }
}

/** Task ids are unique across the gateway: the operator need not know the workspace. */
async function workspaceOfTask(store: CrudStore, taskId: string, workspaceId: string | undefined): Promise<string> {
  if (workspaceId !== undefined) return workspaceId;
  for (const candidate of await allWorkspaces(store)) {
    try {
      await store.tasks.get({ workspace_id: candidate, task_id: taskId });
      return candidate;
    } catch (error) {
      if (!hasErrorCode(error, 'not_found')) throw error;
    }
  }
  throw new CairnError('not_found', `no task ${taskId} in any workspace`, { details: { task_id: taskId } });
}
