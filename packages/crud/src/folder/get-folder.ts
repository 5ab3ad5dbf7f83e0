import { FolderRefParams, type ThreadFolder } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireFolder, toFolder } from './folder-row.js';

export async function getFolder(store: StoreContext, params: FolderRefParams): Promise<ThreadFolder> {
  const p = parseParams(FolderRefParams, params, 'thread/folder/get');
  return store.read(async (q) => toFolder(await requireFolder(q, p.workspace_id, p.folder_id)));
}
