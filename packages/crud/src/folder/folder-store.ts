import type {
  FolderCreateParams,
  FolderDeleteParams,
  FolderDeleteResult,
  FolderMoveParams,
  FolderRefParams,
  ThreadFolder,
} from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { createFolder } from './create-folder.js';
import { deleteFolder } from './delete-folder.js';
import { getFolder } from './get-folder.js';
import { moveFolder } from './move-folder.js';

/** `store.folders`: thread folder operations. */
export class FolderStore {
  readonly #store: StoreContext;

  constructor(store: StoreContext) {
    this.#store = store;
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
    return deleteFolder(this.#store, params);
  }
}
