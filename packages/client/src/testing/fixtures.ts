import type { Thread, Workspace } from '@cairn/protocol';

const NOW = '2026-01-01T00:00:00.000Z';

export function workspaceFixture(workspaceId = 'ws-1'): Workspace {
  return { workspace_id: workspaceId, name: 'Default', is_default: true, created_at: NOW, updated_at: NOW } as Workspace;
}

export function threadFixture(threadId: string, workspaceId = 'ws-1'): Thread {
  return {
    thread_id: threadId,
    workspace_id: workspaceId,
    folder_id: null,
    title: null,
    summary: null,
    summary_updated_at: null,
    status: 'active',
    sandbox_policy: { mode: 'read_only' },
    forked_from_thread_id: null,
    forked_from_turn_id: null,
    created_at: NOW,
    updated_at: NOW,
    last_activity_at: NOW,
  } as unknown as Thread;
}

/** A `thread/updated` notification's params at `seq`. */
export function threadUpdated(seq: number, threadId = 't-1', workspaceId = 'ws-1'): Record<string, unknown> {
  return { workspace_id: workspaceId, seq, recorded_at: NOW, thread_id: threadId, thread: threadFixture(threadId, workspaceId) };
}
