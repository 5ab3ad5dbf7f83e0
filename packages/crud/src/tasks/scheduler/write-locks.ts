import { CairnError } from '@cairn/protocol';
import type { TaskDeps } from '../task-types.js';

/** Not implemented yet (tasks-core milestone 1). */
export async function acquireLock(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'acquireLock: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function releaseExpiredLocks(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'releaseExpiredLocks: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function releaseLock(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'releaseLock: not implemented');
}
