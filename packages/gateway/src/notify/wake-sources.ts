import type { NotificationHub } from './notification-hub.js';

/**
 * How commits made elsewhere reach the hub. A commit through this gateway wakes it directly;
 * one by another process (a second gateway on a shared PostgreSQL, a runtime using crud as a
 * library on the same gateway.db) is noticed by a publish/subscribe channel where the
 * database has one (PostgreSQL LISTEN/NOTIFY), and in any case by a slow poll of the watched
 * workspaces, which also covers a lost notification. The journal stays the only source: a
 * wake only makes the hub read it.
 */
export interface WakeChannel {
  /** Tells the other gateways that the workspace has new events (after commit). */
  publish(workspaceId: string): void;
  close(): Promise<void>;
}

export const NO_CHANNEL: WakeChannel = { publish() {}, close: async () => {} };

/** Wakes every watched workspace every `intervalMs` (0: never). Returns the stop function. */
export function startWakePoll(hub: NotificationHub, intervalMs: number): () => void {
  if (intervalMs <= 0) return () => {};
  const timer = setInterval(() => {
    for (const workspaceId of hub.watchedWorkspaces()) hub.wakeFromElsewhere(workspaceId);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
