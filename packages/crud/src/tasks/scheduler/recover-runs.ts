import { CairnError } from '@cairn/protocol';
import type { TaskDeps } from '../task-types.js';

/** Not implemented yet (tasks-core milestone 1). */
export async function expireTimeouts(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'expireTimeouts: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function recoverExpiredLeases(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'recoverExpiredLeases: not implemented');
}
