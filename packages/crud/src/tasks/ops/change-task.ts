import { CairnError } from '@cairn/protocol';
import type { TaskDeps } from '../task-types.js';

/** Not implemented yet (tasks-core milestone 1). */
export async function cancelTask(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'cancelTask: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function pauseTask(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'pauseTask: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function rescheduleTask(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'rescheduleTask: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function resumeTask(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'resumeTask: not implemented');
}
