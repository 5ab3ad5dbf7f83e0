import type { Command } from 'commander';
import type { CairnEnv } from '@cairn/config';
import { cancelTask, listTasks, showTask } from '@cairn/gateway';
import type { Task, TaskDetail, TaskRun, TaskStatus } from '@cairn/protocol';
import type { GlobalOptions } from '../cli.js';
import { usageError } from '../errors.js';
import { output } from './output.js';

type Add = (parent: Command, name: string) => Command;

const STATUSES: readonly TaskStatus[] = ['draft', 'scheduled', 'queued', 'running', 'waiting', 'completed', 'failed', 'cancelled', 'paused'];

function describeTask(task: Task): string {
  const ended = task.completed_at !== null ? `  ended ${task.completed_at}` : '';
  return `${task.task_id}  ${task.status}  ${task.executor_kind}  ws ${task.workspace_id}  runs ${task.run_count}${ended}  ${JSON.stringify(task.title)}`;
}

function describeRun(run: TaskRun): string {
  const error = run.error ? `  ${run.error.code}: ${run.error.message}` : '';
  return `  run ${run.run_id}  attempt ${run.attempt}  ${run.status}  for ${run.scheduled_for}${run.completed_at ? `  ended ${run.completed_at}` : ''}${error}`;
}

function describeDetail(detail: TaskDetail): string[] {
  const { task } = detail;
  return [
    describeTask(task),
    ...(task.parent_task_id ? [`  parent ${task.parent_task_id}  root ${task.root_task_id}`] : []),
    ...(task.owner_thread_id ? [`  owner thread ${task.owner_thread_id}`] : []),
    ...detail.triggers.map((t) => `  trigger ${t.trigger_id}  ${t.spec.kind}  ${t.status}${t.next_fire_at ? `  next ${t.next_fire_at}` : ''}  fired ${t.fire_count}`),
    ...detail.dependencies.map((d) => `  depends on ${d.depends_on_task_id} (${d.condition})`),
    ...(detail.runs.length === 0 ? ['  no runs yet'] : detail.runs.map(describeRun)),
    ...(task.error ? [`  error ${task.error.code}: ${task.error.message}`] : []),
  ];
}

function parseStatus(values: string[] | undefined): TaskStatus[] | undefined {
  if (values === undefined) return undefined;
  for (const value of values) if (!STATUSES.includes(value as TaskStatus)) throw usageError(`--status must be one of ${STATUSES.join(', ')}; got ${JSON.stringify(value)}`);
  return values as TaskStatus[];
}

function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw usageError('--limit must be a whole number from 1 to 100000');
  return n;
}

/**
 * `cairn tasks list|show|cancel`: the home's tasks, read and cancelled through the store (safe
 * beside a serving gateway: its scheduler sees a cancel at the run's next heartbeat).
 */
export function registerTaskCommands(tasks: Command, add: Add, env: CairnEnv, global: () => GlobalOptions): void {
  const home = () => (global().home !== undefined ? { home: global().home } : {});
  add(tasks, 'list')
    .description('tasks of every workspace (or one), newest first')
    .option('--workspace <id>', 'only this workspace')
    .option('--status <status...>', `only these statuses (${STATUSES.join(' ')})`)
    .option('--limit <n>', 'at most this many (default 1000)')
    .action(async (options: { workspace?: string; status?: string[]; limit?: string }) => {
      const status = parseStatus(options.status);
      const limit = parseLimit(options.limit);
      const list = await listTasks({
        env,
        ...home(),
        ...(options.workspace !== undefined ? { workspaceId: options.workspace } : {}),
        ...(status ? { status } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
      output(global(), list, () => (list.length === 0 ? ['no tasks'] : list.map(describeTask)));
    });

  add(tasks, 'show')
    .description('one task: triggers, dependencies, latest runs')
    .argument('<task-id>')
    .option('--workspace <id>', 'the workspace that holds it (default: looked up)')
    .action(async (taskId: string, options: { workspace?: string }) => {
      const detail = await showTask({ env, ...home(), taskId, ...(options.workspace !== undefined ? { workspaceId: options.workspace } : {}) });
      output(global(), detail, () => describeDetail(detail));
    });

  add(tasks, 'cancel')
    .description('cancel a task and its open runs (exit 1 with conflict if it already ended)')
    .argument('<task-id>')
    .option('--workspace <id>', 'the workspace that holds it (default: looked up)')
    .option('--reason <text>', 'why (kept on the event)')
    .action(async (taskId: string, options: { workspace?: string; reason?: string }) => {
      const task = await cancelTask({
        env,
        ...home(),
        taskId,
        ...(options.workspace !== undefined ? { workspaceId: options.workspace } : {}),
        ...(options.reason !== undefined ? { reason: options.reason } : {}),
      });
      output(global(), { task }, () => [`cancelled ${task.task_id} (${task.status})`]);
    });
}
