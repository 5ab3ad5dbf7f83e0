import { ThreadEntity } from './thread-entity.js';
import { ThreadFolderEntity } from './thread-folder-entity.js';

export { ThreadEntity } from './thread-entity.js';
export { ThreadFolderEntity } from './thread-folder-entity.js';

export const THREAD_ENTITIES = [ThreadFolderEntity, ThreadEntity] as const;
