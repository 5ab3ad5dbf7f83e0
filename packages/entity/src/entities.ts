import { ARTIFACT_ENTITIES } from './artifact/index.js';
import { AUTH_ENTITIES } from './auth/index.js';
import { JOURNAL_ENTITIES } from './journal/index.js';
import { THREAD_ENTITIES } from './thread/index.js';
import { TURN_ENTITIES } from './turn/index.js';
import { TURN_RECORD_ENTITIES } from './turn-records/index.js';
import { WORKSPACE_ENTITIES } from './workspace/index.js';

/**
 * Every entity of gateway.db, for `openSqliteDatabase({ entities: ENTITIES })`. A new domain
 * adds its module's array here with one spread.
 */
export const ENTITIES = [...WORKSPACE_ENTITIES, ...THREAD_ENTITIES, ...JOURNAL_ENTITIES, ...TURN_ENTITIES, ...TURN_RECORD_ENTITIES, ...AUTH_ENTITIES, ...ARTIFACT_ENTITIES] as const;
