import { WorkspaceGetParams, type Workspace } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireWorkspace, toWorkspace } from './workspace-row.js';

export async function getWorkspace(store: StoreContext, params: WorkspaceGetParams): Promise<Workspace> {
  const p = parseParams(WorkspaceGetParams, params, 'workspace/get');
  return store.read(async (q) => toWorkspace(await requireWorkspace(q, p.workspace_id)));
}
