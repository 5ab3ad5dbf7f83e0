import { Type, type Static } from 'typebox';
import { idSchema } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';

/** Unique within its turn (runtimes number items per turn: `item_1`, `call_abc`...). */
export const ItemId = idSchema('Turn item id, unique within its turn.');
export const RecoveryId = idSchema('Recovery id, unique within its turn.');

/**
 * What makes `turn/event/append` idempotent: the same key (within a workspace) returns the
 * first result and writes nothing. Any printable string the runtime finds convenient.
 */
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: LIMITS.turn.idempotencyKeyLength, pattern: '^[\\x21-\\x7e]+$' });

export type ItemId = Static<typeof ItemId>;
export type RecoveryId = Static<typeof RecoveryId>;
export type IdempotencyKey = Static<typeof IdempotencyKey>;
