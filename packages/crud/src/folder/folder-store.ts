import type {
  FolderCreateParams,
  FolderDeleteParams,
  FolderDeleteResult,
  FolderMoveParams,
  FolderRefParams,
  ThreadFolder,
} from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import type { ThreadDeps } from '../thread/thread-events.js';
import { createFolder } from './create-folder.js';
import { deleteFolder } from './delete-folder.js';
import { getFolder } from './get-folder.js';
import { moveFolder } from './move-folder.js';

/** `store.folders`: thread folder operations. A delete journals `thread.updated` for each thread it moves. */
export class FolderStore {
  readonly #deps: ThreadDeps;
  readonly #store: StoreContext;

  constructor(deps: ThreadDeps) {
    this.#deps = deps;
    this.#store = deps.context;
  }

  create(params: FolderCreateParams): Promise<ThreadFolder> {
    return createFolder(this.#store, params);
  }

  get(params: FolderRefParams): Promise<ThreadFolder> {
    return getFolder(this.#store, params);
  }

  move(params: FolderMoveParams): Promise<ThreadFolder> {
    return moveFolder(this.#store, params);
  }

  /** Deletes one folder; its threads and subfolders move up to its parent. */
  delete(params: FolderDeleteParams): Promise<FolderDeleteResult> {
    return deleteFolder(this.#deps, params);
  }
}
