import { ThreadRefParams, type Thread } from '@cairn/protocol';
import { parseParams } from '../errors/parse-params.js';
import type { StoreContext } from '../store/store-context.js';
import { findThreadAnywhere, requireThread, toThread } from './thread-row.js';

/** Far beyond any real fork chain; stops a corrupted (cyclic) chain from looping forever. */
const MAX_DEPTH = 10_000;

/**
 * The fork ancestors of a thread, nearest first (parent, grandparent, ...); empty for a thread
 * that was never forked. Read in one snapshot. Forks stay within a workspace, so the walk
 * stops at any row of another workspace rather than exposing it.
 */
export async function threadLineage(store: StoreContext, params: ThreadRefParams): Promise<Thread[]> {
  const p = parseParams(ThreadRefParams, params, 'thread/lineage');
  return store.read(async (q) => {
    const chain: Thread[] = [];
    const seen = new Set<string>([p.thread_id]);
    let next = (await requireThread(q, p.workspace_id, p.thread_id)).forked_from_thread_id;
    while (next !== null && !seen.has(next) && chain.length < MAX_DEPTH) {
      seen.add(next);
      const row = await findThreadAnywhere(q, next);
      if (!row || row.workspace_id !== p.workspace_id) break;
      chain.push(toThread(row));
      next = row.forked_from_thread_id;
    }
    return chain;
  });
}
