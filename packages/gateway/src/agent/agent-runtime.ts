import type { FastifyBaseLogger } from 'fastify';
import type { CrudStore } from '@cairn/crud';
import type { Turn } from '@cairn/protocol';

/**
 * Runs the turns `turn/start` opens. The gateway has committed `turn.started` (and notified)
 * before `start` is called; the runtime reports everything after that as turn events through
 * the store (the same path as `turn/event/append`), and the gateway wakes the notification hub
 * after each commit. A turn the runtime cannot run must still end (`turn.failed`).
 */
export interface AgentRuntime {
  readonly name: string;
  /** Starts the turn in the background; returns at once. */
  start(turn: Turn): void;
  /** `turn.cancelled` was committed: stop the turn's work (its later events would be refused anyway). */
  cancel(workspaceId: string, turnId: string): void;
  /** Turns running now. */
  running(): number;
  /** Lets running turns finish for up to `timeoutMs`, then stops them. */
  drain(timeoutMs: number): Promise<void>;
}

/** What a runtime given to `startGateway({ agentRuntime })` is built with. */
export interface AgentRuntimeContext {
  readonly store: CrudStore;
  readonly log: FastifyBaseLogger;
  /** Call after each commit the runtime made, so the gateway's notification hub reads it. */
  readonly onCommitted: (workspaceId: string) => void;
}

/**
 * `agent.runtime = "external"`: the gateway records `turn.started` and nothing else; a runtime
 * outside the gateway reports the turn through `turn/event/append` (and sees `turn/cancel` as a
 * `turn/completed` notification with status `cancelled`: its later events are no-ops).
 */
export function externalRuntime(): AgentRuntime {
  return { name: 'external', start() {}, cancel() {}, running: () => 0, drain: async () => {} };
}
