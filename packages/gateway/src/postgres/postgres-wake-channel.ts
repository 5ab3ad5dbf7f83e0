import { createPostgresNotifier } from '@cairn/postgres';
import type { PostgresHandles } from '@cairn/crud';
import type { WakeChannel } from '../notify/wake-sources.js';
import type { RuntimeLog } from '../runtime/runtime-options.js';

export interface PostgresWakeChannelOptions {
  postgres: Pick<PostgresHandles, 'dataSource'>;
  /** A workspace has new events, committed by another gateway (or this one: a wake is only a re-read). */
  onWake: (workspaceId: string) => void;
  /** The workspaces the hub watches: all of them are re-read after the listener reconnects. */
  watched: () => string[];
  log: RuntimeLog;
}

/** `cairn_journal` on the public schema, `cairn_journal_<schema>` otherwise: gateways on other schemas of one database do not wake each other. */
export function journalChannelName(schema: string | undefined): string {
  return !schema || schema === 'public' ? 'cairn_journal' : `cairn_journal_${schema}`.slice(0, 63);
}

/**
 * Commits reach the other gateways on one PostgreSQL as NOTIFY `cairn_journal` with the
 * workspace id as payload; the journal stays the only source (a wake makes the hub read it).
 * `publish` coalesces: at most one NOTIFY per workspace in flight, and any number of wakes
 * meanwhile become one more after it, so a burst of commits costs two NOTIFYs, not one each.
 * A listener that reconnected may have missed NOTIFYs, so every watched workspace is re-read.
 * Failures are logged, never thrown: the poll (`notify_poll_ms`) still covers them.
 */
export async function startPostgresWakeChannel(options: PostgresWakeChannelOptions): Promise<WakeChannel> {
  const { postgres, onWake, watched, log } = options;
  const channel = journalChannelName((postgres.dataSource.options as { schema?: string }).schema);
  const notifier = createPostgresNotifier({ dataSource: postgres.dataSource, channel });
  const stopListening = await notifier.listen(
    (payload) => {
      if (payload !== '') return onWake(payload);
      for (const workspaceId of watched()) onWake(workspaceId);
    },
    (error) => log.warn({ err: error, channel }, 'journal LISTEN connection lost; reconnecting (watched workspaces are re-read)'),
  );
  const inFlight = new Map<string, Promise<void>>();
  const again = new Set<string>();
  let closed = false;

  const send = (workspaceId: string): void => {
    const sent = notifier
      .notify(workspaceId)
      .catch((error: unknown) => log.warn({ err: error, channel, workspace_id: workspaceId }, 'journal NOTIFY failed; other gateways see the commit at their next poll'))
      .finally(() => {
        inFlight.delete(workspaceId);
        // Also while closing: the last commit's wake still goes out.
        if (again.delete(workspaceId)) send(workspaceId);
      });
    inFlight.set(workspaceId, sent);
  };

  return {
    publish(workspaceId) {
      if (closed) return;
      if (inFlight.has(workspaceId)) again.add(workspaceId);
      else send(workspaceId);
    },
    async close() {
      closed = true;
      while (inFlight.size > 0) await Promise.all(inFlight.values());
      await stopListening();
    },
  };
}
