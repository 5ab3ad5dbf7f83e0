import { Type, type Static } from 'typebox';
import { FolderId, ThreadId, TurnId, WorkspaceId } from '../common/ids.js';
import { PAGE_PARAMS, Page } from '../common/pagination.js';
import { defineMethods } from '../methods/define-methods.js';
import { SandboxPolicy } from './sandbox-policy.js';
import { Thread, ThreadStatus, ThreadTitle } from './thread.js';
import { ThreadTree } from './thread-tree.js';

const strict = { additionalProperties: false } as const;
const ThreadRef = { workspace_id: WorkspaceId, thread_id: ThreadId };

/**
 * Creates the thread, or re-opens it when `thread_id` already names a thread of this
 * workspace (then the other fields are ignored and an archived thread becomes active again).
 * An id held by another workspace is a `conflict`.
 */
export const ThreadStartParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    /** Client-chosen id for optimistic UI; generated when absent. */
    thread_id: Type.Optional(ThreadId),
    title: Type.Optional(ThreadTitle),
    folder_id: Type.Optional(Type.Union([FolderId, Type.Null()])),
    sandbox_policy: Type.Optional(SandboxPolicy),
  },
  strict,
);
export const ThreadStartResult = Type.Object({ thread: Thread, created: Type.Boolean() });

export const ThreadGetParams = Type.Object(
  {
    ...ThreadRef,
    /** Also return the fork ancestors, nearest first. */
    include_lineage: Type.Optional(Type.Boolean()),
  },
  strict,
);
export const ThreadGetResult = Type.Object({ thread: Thread, lineage: Type.Optional(Type.Array(Thread)) });

/**
 * Newest activity first. `folder_id` absent: every folder; null: the root only; an id: that
 * folder only (not its subfolders). The cursor is bound to the filter it was issued for.
 */
export const ThreadListParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    folder_id: Type.Optional(Type.Union([FolderId, Type.Null()])),
    status: Type.Optional(ThreadStatus),
    ...PAGE_PARAMS,
  },
  strict,
);
export const ThreadListResult = Page(Thread);

export const ThreadTreeParams = Type.Object({ workspace_id: WorkspaceId, status: Type.Optional(ThreadStatus) }, strict);
export const ThreadTreeResult = ThreadTree;

/** Target folder null: the root. The folder must belong to the same workspace. */
export const ThreadMoveParams = Type.Object({ ...ThreadRef, folder_id: Type.Union([FolderId, Type.Null()]) }, strict);

/**
 * Creates a new thread with the source's title, sandbox policy and folder (each overridable)
 * and records the lineage. The source must be in this workspace; `thread_id` must be free.
 */
export const ThreadForkParams = Type.Object(
  {
    workspace_id: WorkspaceId,
    from_thread_id: ThreadId,
    from_turn_id: Type.Optional(TurnId),
    thread_id: Type.Optional(ThreadId),
    title: Type.Optional(ThreadTitle),
    folder_id: Type.Optional(Type.Union([FolderId, Type.Null()])),
  },
  strict,
);
export const ThreadResult = Type.Object({ thread: Thread });

/** Stops this connection's notifications for the thread; a gateway (session) concern, no storage. */
export const ThreadUnsubscribeParams = Type.Object({ ...ThreadRef }, strict);
export const ThreadUnsubscribeResult = Type.Object({ unsubscribed: Type.Boolean() });

export type ThreadStartParams = Static<typeof ThreadStartParams>;
export type ThreadStartResult = Static<typeof ThreadStartResult>;
export type ThreadGetParams = Static<typeof ThreadGetParams>;
export type ThreadGetResult = Static<typeof ThreadGetResult>;
export type ThreadListParams = Static<typeof ThreadListParams>;
export type ThreadListResult = Static<typeof ThreadListResult>;
export type ThreadTreeParams = Static<typeof ThreadTreeParams>;
export type ThreadMoveParams = Static<typeof ThreadMoveParams>;
export type ThreadForkParams = Static<typeof ThreadForkParams>;
export type ThreadResult = Static<typeof ThreadResult>;
export type ThreadUnsubscribeParams = Static<typeof ThreadUnsubscribeParams>;
export type ThreadUnsubscribeResult = Static<typeof ThreadUnsubscribeResult>;

export const threadMethods = defineMethods({
  'thread/start': { params: ThreadStartParams, result: ThreadStartResult },
  'thread/get': { params: ThreadGetParams, result: ThreadGetResult },
  'thread/list': { params: ThreadListParams, result: ThreadListResult },
  'thread/tree': { params: ThreadTreeParams, result: ThreadTreeResult },
  'thread/move': { params: ThreadMoveParams, result: ThreadResult },
  'thread/fork': { params: ThreadForkParams, result: ThreadResult },
  'thread/unsubscribe': { params: ThreadUnsubscribeParams, result: ThreadUnsubscribeResult },
});
