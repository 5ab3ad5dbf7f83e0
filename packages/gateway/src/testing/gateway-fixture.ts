import type { CrudStore } from '@cairn/crud';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '../server/start-gateway.js';

export interface TestGateway extends RunningGateway {
  /** An operator token issued straight through the store. */
  operatorToken: string;
  /** Issues a token scoped to the given workspaces. */
  scopedToken(workspaceIds: string[]): Promise<string>;
}

/** A real gateway on the home, quiet, on a free loopback port, with an operator token. */
export async function startTestGateway(home: string, options: Omit<StartGatewayOptions, 'home'> = {}): Promise<TestGateway> {
  const gateway = await startGateway({
    env: {},
    listen: { host: '127.0.0.1', port: 0 },
    ...options,
    home,
    settings: { log_level: 'silent', ...(options.settings as Record<string, unknown> | undefined) },
  });
  const { secret } = await gateway.runtime.store.tokens.issue({ kind: 'operator', label: 'test operator' });
  return Object.assign(gateway, {
    operatorToken: secret,
    scopedToken: async (workspaceIds: string[]) =>
      (await gateway.runtime.store.tokens.issue({ kind: 'workspace', workspace_ids: workspaceIds, label: 'test scoped' })).secret,
  });
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
