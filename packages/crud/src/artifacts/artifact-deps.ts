import type { ArtifactEventType } from '@cairn/protocol';
import type { EventLog } from '../event-log/types.js';
import type { JournalEvent } from '../journal/types.js';
import type { WriteContext } from '../port/types.js';
import type { StoreContext } from '../store/store-context.js';

/** What the artifact operations need: the store context and the one event log. */
export interface ArtifactDeps {
  context: StoreContext;
  events: EventLog;
}

/** One event of the `artifact` stream to append. */
export interface ArtifactEventInput {
  /** The artifact id (the stream), or `quota:<workspace>` for a quota warning. */
  streamId: string;
  type: ArtifactEventType;
  payload: unknown;
  /** The thread the artifact is bound to: subscribers of that thread receive the notification. */
  threadId: string | null;
  recordedAt: string;
}

/**
 * Appends artifact events in order inside the caller's job. The operations check the state
 * before they get here (a repeat answers from the read model and appends nothing), so every
 * event must apply; a projector that disagrees is a bug, reported loudly.
 */
export async function appendArtifactEvents(ctx: WriteContext, deps: ArtifactDeps, workspaceId: string, inputs: readonly ArtifactEventInput[]): Promise<JournalEvent[]> {
  if (inputs.length === 0) return [];
  const results = await deps.events.appendEvents(
    ctx,
    inputs.map((e) => ({
      workspaceId,
      streamType: 'artifact' as const,
      streamId: e.streamId,
      type: e.type,
      payload: e.payload,
      threadId: e.threadId ?? undefined,
      recordedAt: e.recordedAt,
    })),
  );
  return results.map((r, i) => {
    if (!r.event) throw new Error(`${inputs[i]!.type} answered ${r.outcome}: the artifact operation's own check and its projector disagree`);
    return r.event;
  });
}

/** The stream of a workspace's quota warnings (a stream lives in one workspace). */
export const quotaStreamId = (workspaceId: string): string => `quota:${workspaceId}`;
