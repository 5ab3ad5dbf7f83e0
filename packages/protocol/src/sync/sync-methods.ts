import { Type, type Static } from 'typebox';
import { ThreadId, WorkspaceId } from '../common/ids.js';
import { LIMITS } from '../common/limits.js';
import { defineMethods } from '../methods/define-methods.js';

const strict = { additionalProperties: false } as const;

/**
 * Replays, as notifications on this connection and before the answer, every notification of
 * the workspace after `after_seq`, in `seq` order, and subscribes the threads: `thread_ids`
 * when given, else every thread of the workspace. From then on live notifications continue
 * from where the replay ended, with no gap and no duplicate. A position before the retention
 * point is `snapshot_required` (`details.retention_seq`): reload with `thread/history`, then
 * resume from `head_seq` of `sync/resume {after_seq: <head>}`.
 */
export const SyncResumeParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    /** The last `seq` the client saw; 0 replays from the beginning. */
    after_seq: Type.Integer({ minimum: 0 }),
    thread_ids: Type.Optional(Type.Array(ThreadId, { maxItems: LIMITS.sync.threadsPerResume, uniqueItems: true })),
  },
  strict,
);
export const SyncResumeResult = Type.Object({
  /** The workspace's journal head when the replay ended: the client's cursor from now on. */
  head_seq: Type.Integer({ minimum: 0 }),
  /** Notifications sent by this replay (events that map to no notification are skipped, see `NOTIFICATIONS`). */
  replayed: Type.Integer({ minimum: 0 }),
  /** The threads now subscribed on this connection; null: every thread of the workspace. */
  thread_ids: Type.Union([Type.Array(ThreadId), Type.Null()]),
});

export type SyncResumeParams = Static<typeof SyncResumeParams>;
export type SyncResumeResult = Static<typeof SyncResumeResult>;

export const syncMethods = defineMethods({
  'sync/resume': { params: SyncResumeParams, result: SyncResumeResult },
});
