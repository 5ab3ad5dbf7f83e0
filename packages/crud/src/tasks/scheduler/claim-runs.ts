import { CairnError } from '@cairn/protocol';
import type { TaskDeps } from '../task-types.js';

/** Not implemented yet (tasks-core milestone 1). */
export async function claimRuns(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'claimRuns: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function heartbeatRun(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'heartbeatRun: not implemented');
}
/** Not implemented yet (tasks-core milestone 1). */
export async function markRunRunning(_deps: TaskDeps, ..._args: unknown[]): Promise<never> {
  throw new CairnError('internal_error', 'markRunRunning: not implemented');
}
