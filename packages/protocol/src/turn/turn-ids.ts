import { Type, type Static } from 'typebox';
import { ID_PATTERN } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';

const id = (description: string) =>
  Type.String({ minLength: 1, maxLength: LIMITS.idLength, pattern: ID_PATTERN, description });

/** Unique within its turn (runtimes number items per turn: `item_1`, `call_abc`...). */
export const ItemId = id('Turn item id, unique within its turn.');
export const RecoveryId = id('Recovery id, unique within its turn.');
export const AttachmentRefId = id('Attachment id (a turn record registered for the upload).');

/**
 * What makes `turn/event/append` idempotent: the same key (within a workspace) returns the
 * first result and writes nothing. Any printable string the runtime finds convenient.
 */
export const IdempotencyKey = Type.String({ minLength: 1, maxLength: 256, pattern: '^[\\x21-\\x7e]+$' });

export type ItemId = Static<typeof ItemId>;
export type RecoveryId = Static<typeof RecoveryId>;
export type IdempotencyKey = Static<typeof IdempotencyKey>;
