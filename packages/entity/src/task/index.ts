import { TaskEntity } from './task-entity.js';
import { TaskTriggerEntity } from './task-trigger-entity.js';
import { TaskRunEntity } from './task-run-entity.js';
import { TaskDependencyEntity } from './task-dependency-entity.js';
import { TaskAgentSpecEntity } from './task-agent-spec-entity.js';
import { TaskDeliveryEntity } from './task-delivery-entity.js';
import { TaskDeliveryAttemptEntity } from './task-delivery-attempt-entity.js';
import { TaskWriteLockEntity } from './task-write-lock-entity.js';

export { TaskEntity } from './task-entity.js';
export { TaskTriggerEntity } from './task-trigger-entity.js';
export { TaskRunEntity } from './task-run-entity.js';
export { TaskDependencyEntity } from './task-dependency-entity.js';
export { TaskAgentSpecEntity } from './task-agent-spec-entity.js';
export { TaskDeliveryEntity } from './task-delivery-entity.js';
export { TaskDeliveryAttemptEntity } from './task-delivery-attempt-entity.js';
export { TaskWriteLockEntity } from './task-write-lock-entity.js';

/** The task read models (`TaskProjector`), parents before children. */
export const TASK_ENTITIES = [
  TaskEntity,
  TaskTriggerEntity,
  TaskRunEntity,
  TaskDependencyEntity,
  TaskAgentSpecEntity,
  TaskDeliveryEntity,
  TaskDeliveryAttemptEntity,
  TaskWriteLockEntity,
] as const;
