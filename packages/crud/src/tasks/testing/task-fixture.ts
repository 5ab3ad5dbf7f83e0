import type { TaskCreateParams } from '@cairn/protocol';
import type { CrudStore } from '../../store/crud-store.js';
import { openTempStore, type TempStore } from '../../testing/temp-store.js';

export const WS = 'w1';
export const OTHER_WS = 'w2';
export const T0 = Date.parse('2026-03-01T00:00:00.000Z');
export const at = (ms: number): Date => new Date(ms);
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** A store with two workspaces and a thread in each. */
export async function openTaskStore(): Promise<TempStore> {
  const temp = await openTempStore();
  for (const ws of [WS, OTHER_WS]) {
    await temp.store.workspaces.create({ workspace_id: ws, name: ws });
    await temp.store.threads.start({ workspace_id: ws, thread_id: `thr-${ws}` });
  }
  return temp;
}

/** A system task in WS with the given triggers (and anything else overridden). */
export function systemTask(taskId: string, triggers: TaskCreateParams['triggers'], extra: Partial<TaskCreateParams> = {}): TaskCreateParams {
  return { workspace_id: WS, task_id: taskId, title: `task ${taskId}`, executor_kind: 'system', executor_config: { action: 'noop' }, triggers, ...extra };
}

/** Every row of the task read models, in a stable order: what a rebuild must reproduce. */
export async function taskRows(store: CrudStore): Promise<Record<string, unknown[]>> {
  const order: Record<string, string> = {
    task: 'task_id',
    task_trigger: 'trigger_id',
    task_run: 'run_id',
    task_dependency: 'task_id, depends_on_task_id',
    task_agent_spec: 'task_id',
    task_delivery: 'delivery_id',
    task_delivery_attempt: 'delivery_id, attempt',
    task_write_lock: 'lock_id',
  };
  const out: Record<string, unknown[]> = {};
  await store.context.read(async (q) => {
    for (const [table, by] of Object.entries(order)) out[table] = await q.all(`SELECT * FROM ${table} ORDER BY ${by}`);
  });
  return out;
}

/** Fires, claims and completes everything due at `now` with `outcome`, as one scheduler step would. */
export async function runDue(store: CrudStore, now: Date, outcome: 'succeeded' | 'failed' = 'succeeded', owner = 'sched-a'): Promise<string[]> {
  await store.tasks.fireDueTriggers({ now, owner });
  const claimed = await store.tasks.claimRuns({ now, owner, lease_ms: 60_000, limit: 100 });
  for (const c of claimed) {
    await store.tasks.markRunRunning({ now, owner, run_id: c.run.run_id });
    await store.tasks.completeRun({ now, owner, run_id: c.run.run_id, outcome, ...(outcome === 'succeeded' ? { result: { ok: true } } : { error: { code: 'boom', message: 'it failed' } }) });
  }
  return claimed.map((c) => c.task.task_id);
}
