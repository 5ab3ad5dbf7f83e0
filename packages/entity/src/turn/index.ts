import { TurnEntity } from './turn-entity.js';
import { TurnInputEntity } from './turn-input-entity.js';
import { TurnItemAttemptEntity } from './turn-item-attempt-entity.js';
import { TurnItemEntity } from './turn-item-entity.js';
import { TurnStatusChangeEntity } from './turn-status-change-entity.js';
import { TurnTimelineEntryEntity } from './turn-timeline-entry-entity.js';

export { TurnEntity, TurnInputEntity, TurnItemAttemptEntity, TurnItemEntity, TurnStatusChangeEntity, TurnTimelineEntryEntity };

/** Parents before children. The FTS5 search table (migration 0003) has no entity: it is not a TypeORM table. */
export const TURN_ENTITIES = [
  TurnEntity,
  TurnInputEntity,
  TurnStatusChangeEntity,
  TurnItemEntity,
  TurnItemAttemptEntity,
  TurnTimelineEntryEntity,
] as const;
