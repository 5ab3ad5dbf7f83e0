import { EVENT_BATCH_MAX, type Thread } from '@cairn/protocol';
import type { EventLog } from '../event-log/types.js';
import type { StoreContext, WriteContext } from '../store/store-context.js';

/** What the thread and folder operations need: the store context, and the event log their changes are journaled through. */
export interface ThreadDeps {
  context: StoreContext;
  events: EventLog;
}

/** `thread.started` (a new thread: `thread/start`, `thread/fork`) or `thread.updated` (any later change of its row). */
export type ThreadEventType = 'thread.started' | 'thread.updated';

/**
 * Journals a change of thread rows inside the job that made it, so the row and its event
 * commit together or not at all: the journal is what a gateway derives `thread/started` and
 * `thread/updated` from, live and on `sync/resume`. The payload is the record as the change
 * left it; the stream is the thread's own (`thread`, id = thread id), and no projector
 * handles it: the row is written by the operation itself, the event is the fact. Many
 * threads (a folder delete) go in batches of the event log's limit, all in the same job.
 */
export async function journalThreads(ctx: WriteContext, events: EventLog, type: ThreadEventType, threads: readonly Thread[]): Promise<void> {
  for (let start = 0; start < threads.length; start += EVENT_BATCH_MAX) {
    const inputs = threads.slice(start, start + EVENT_BATCH_MAX).map((thread) => ({
      workspaceId: thread.workspace_id,
      streamType: 'thread' as const,
      streamId: thread.thread_id,
      threadId: thread.thread_id,
      type,
      payload: { type, thread },
      recordedAt: thread.updated_at,
    }));
    const results = await events.appendEvents(ctx, inputs);
    if (results.some((r) => r.outcome !== 'applied')) throw new Error(`${type}: a thread event was not journaled; no projector should decide on the thread stream`);
  }
}

/** One thread's change: see `journalThreads`. Answers the thread, for `return journalThread(...)`. */
export async function journalThread(ctx: WriteContext, events: EventLog, type: ThreadEventType, thread: Thread): Promise<Thread> {
  await journalThreads(ctx, events, type, [thread]);
  return thread;
}
