import { JournalEventEntity } from './journal-event-entity.js';

export { JournalEventEntity } from './journal-event-entity.js';

export const JOURNAL_ENTITIES = [JournalEventEntity] as const;
