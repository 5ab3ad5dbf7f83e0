import { CairnError } from '@cairn/protocol';
import type { TaskDeps } from '../task-types.js';

/** Not implemented yet (tasks-core milestone 1). */
export async function getTask(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'getTask: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function listTasks(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'listTasks: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function taskAgenda(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'taskAgenda: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function taskDeliveries(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'taskDeliveries: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function taskEvents(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'taskEvents: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function taskTree(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'taskTree: not implemented');
}
