import { Type, type Static } from 'typebox';
import { LIMITS } from './limits.js';

/**
 * A client-suppliable id: 1-128 characters, starting with a letter or digit, then letters,
 * digits and `._:-`. No slash, space or control character, so an id is safe in a path, a log
 * line and a URL without escaping.
 */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';

/** The schema of a client-suppliable id (see ID_PATTERN), for every domain's id types. */
export const idSchema = (description: string) =>
  Type.String({ minLength: 1, maxLength: LIMITS.idLength, pattern: ID_PATTERN, description });
const id = idSchema;

export const WorkspaceId = id('Workspace id.');
export const ThreadId = id('Thread id, unique across the gateway.');
export const FolderId = id('Thread folder id, unique across the gateway.');
export const TurnId = id('Turn id.');
/** The one attachment id: the turn record of an upload, and what a turn's input part names. */
export const AttachmentId = id('Attachment id, unique across the gateway (client-suppliable).');

export type WorkspaceId = Static<typeof WorkspaceId>;
export type ThreadId = Static<typeof ThreadId>;
export type FolderId = Static<typeof FolderId>;
export type TurnId = Static<typeof TurnId>;
export type AttachmentId = Static<typeof AttachmentId>;

/** ISO-8601 UTC with milliseconds, as written by `Date.prototype.toISOString`: sorts as text. */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC timestamp.' });
export type Timestamp = Static<typeof Timestamp>;

/** A display name (workspace, folder): not empty, not only whitespace, bounded. */
export const Name = Type.String({ minLength: 1, maxLength: LIMITS.nameLength, pattern: '\\S' });
