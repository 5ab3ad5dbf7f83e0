import { JournalEventEntity } from './journal-event-entity.js';
import { JournalRetentionEntity, JournalStreamRetentionEntity } from './journal-retention-entity.js';

export { JournalEventEntity } from './journal-event-entity.js';
export { JournalRetentionEntity, JournalStreamRetentionEntity } from './journal-retention-entity.js';

export const JOURNAL_ENTITIES = [JournalEventEntity, JournalRetentionEntity, JournalStreamRetentionEntity] as const;
