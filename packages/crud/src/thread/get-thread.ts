import { ThreadGetParams, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { requireThread, toThread } from './thread-row.js';

/** `thread/get`. `include_lineage` is answered by `lineage()`; the gateway joins the two. */
export async function getThread(store: StoreContext, params: ThreadGetParams): Promise<Thread> {
  const p = parseParams(ThreadGetParams, params, 'thread/get');
  return store.read(async (q) => toThread(await requireThread(q, p.workspace_id, p.thread_id)));
}
