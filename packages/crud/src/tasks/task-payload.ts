import type { AgentSpec, Task, TaskDelivery, TaskDeliveryAttempt, TaskDependency, TaskRun, WriteLock } from '@cairn/protocol';
import type { TriggerRecord } from './task-rows.js';

/**
 * What every task event carries: the records it changed, as they are after it (the task
 * always). The projector writes exactly these rows, so a rebuild from the journal writes the
 * same ones, and the gateway builds a notification from the event alone (`task`, `run`,
 * `retry`, `delivery`).
 */
export interface TaskEventPayload {
  task: Task;
  triggers?: TriggerRecord[];
  /** Every run the event created or changed (`run` and `retry` among them). */
  runs?: TaskRun[];
  dependencies?: TaskDependency[];
  agent?: AgentSpec | null;
  deliveries?: TaskDelivery[];
  attempts?: TaskDeliveryAttempt[];
  locks?: WriteLock[];
  released_lock_ids?: string[];
  /** The run the event is about (run events). */
  run?: TaskRun;
  /** The next attempt a run's end scheduled. */
  retry?: TaskRun | null;
  /** The delivery the event is about (delivery events). */
  delivery?: TaskDelivery;
  /** The event type again, for `task/updated`'s `change`. */
  change: string;
  /** Why (cancel/pause reason, `dependency_unmet`, `lease_expired`, ...); redacted like the rest. */
  reason?: string;
  /** Due instants a firing skipped (catch-up). */
  skipped?: number;
}
