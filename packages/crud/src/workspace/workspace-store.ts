import type {
  PageResult,
  Workspace,
  WorkspaceCreateParams,
  WorkspaceGetParams,
  WorkspaceListParams,
} from '@cairn/protocol';
import type { StoreContext } from '../store/store-context.js';
import { createWorkspace } from './create-workspace.js';
import { ensureDefaultWorkspace } from './ensure-default-workspace.js';
import { getWorkspace } from './get-workspace.js';
import { listWorkspaces } from './list-workspaces.js';

/** `store.workspaces`: the workspace operations, each in its own file. */
export class WorkspaceStore {
  readonly #store: StoreContext;

  constructor(store: StoreContext) {
    this.#store = store;
  }

  create(params: WorkspaceCreateParams): Promise<Workspace> {
    return createWorkspace(this.#store, params);
  }

  get(params: WorkspaceGetParams): Promise<Workspace> {
    return getWorkspace(this.#store, params);
  }

  list(params: WorkspaceListParams = {}): Promise<PageResult<Workspace>> {
    return listWorkspaces(this.#store, params);
  }

  /** `workspace/default`: get-or-create, idempotent. */
  ensureDefault(): Promise<Workspace> {
    return ensureDefaultWorkspace(this.#store);
  }
}
