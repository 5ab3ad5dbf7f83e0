import { isRecord } from '../errors/client-errors.js';
import type { SyncState } from './sync-state.js';

/**
 * What the client learns from a successful answer for resuming later: `thread/start`
 * subscribes this connection to the thread, `thread/unsubscribe` ends that, and a
 * `sync/resume` (the app's own or the client's) sets the workspace's subscription and cursor.
 */
export function observeResult(sync: SyncState, method: string, params: unknown, result: unknown): void {
  if (!isRecord(params) || !isRecord(result) || typeof params.workspace_id !== 'string') return;
  const workspaceId = params.workspace_id;
  switch (method) {
    case 'thread/start': {
      const thread = result.thread;
      if (isRecord(thread) && typeof thread.thread_id === 'string') sync.subscribeThread(workspaceId, thread.thread_id);
      return;
    }
    case 'thread/unsubscribe':
      if (typeof params.thread_id === 'string') sync.unsubscribeThread(workspaceId, params.thread_id);
      return;
    case 'sync/resume': {
      const threadIds = Array.isArray(result.thread_ids) ? result.thread_ids.filter((t): t is string => typeof t === 'string') : null;
      if (typeof result.head_seq === 'number') sync.resumed(workspaceId, threadIds, result.head_seq);
      return;
    }
  }
}
