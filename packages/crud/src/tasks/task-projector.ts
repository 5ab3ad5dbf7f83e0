import { TASK_EVENT_TYPES } from '@cairn/protocol';
import { violation } from '../event-log/decision.js';
import type { Decision, Projector } from '../event-log/types.js';
import type { PendingEvent } from '../journal/types.js';
import type { WriteContext } from '../port/types.js';

/** The task read models, children before parents (a rebuild empties them in this order). */
export const TASK_TABLES = [
  'task_write_lock',
  'task_delivery_attempt',
  'task_delivery',
  'task_agent_spec',
  'task_dependency',
  'task_run',
  'task_trigger',
  'task',
] as const;

/**
 * Projects the `task` stream into the task read models. Milestone 1: the registration only.
 */
export class TaskProjector implements Projector {
  readonly name = 'tasks';
  readonly canHandle: readonly string[] = TASK_EVENT_TYPES;
  readonly tables = TASK_TABLES;

  async decide(_ctx: WriteContext, event: PendingEvent): Promise<Decision> {
    return violation(`tasks: ${event.type} is not implemented yet`);
  }
}
