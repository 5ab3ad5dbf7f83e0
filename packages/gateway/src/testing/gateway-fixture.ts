import type { CrudStore } from '@cairn/crud';
import { startGateway, type RunningGateway } from '../server/start-gateway.js';

/** A real gateway on the home, quiet, on a free loopback port. */
export function startTestGateway(home: string): Promise<RunningGateway> {
  return startGateway({ home, env: {}, settings: { log_level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } });
}

/**
 * Appends turn events to one turn through the store's real write path, each with a fresh
 * idempotency key. Events are written as the runtime would send them, so tests may pass
 * shapes the static type does not name (the store validates them).
 */
export function turnAppender(store: CrudStore, ids: { workspace_id: string; thread_id: string; turn_id: string }) {
  let key = 0;
  return (event: Record<string, unknown>) =>
    store.turns.appendEvent({ ...ids, idempotency_key: `k${++key}`, event: event as never });
}
