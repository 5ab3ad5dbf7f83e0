import type { DefaultTransport } from '../transport/websocket-like.js';
import { ClientSession } from './client-session.js';
import { BINARY, RESUME_ERROR, SNAPSHOT } from './listeners.js';
import type { CairnClientOptions } from './options.js';
import type { CairnClient } from './types.js';

/** Builds the public object over a session; each entry point passes its default transport. */
export function createClientWithTransport(options: CairnClientOptions, defaultTransport: DefaultTransport): CairnClient {
  const session = new ClientSession(options, defaultTransport);
  return {
    call: (method, params) => session.call(method, params),
    batch: (entries) => session.batch(entries),
    rpc: session.rpcMethods(),
    on: (name, handler) => session.onNotificationHandler(name, handler as (params: never) => void),
    onAny: (handler) => session.onAnyHandler(handler as (n: never) => void),
    onConnectionChange: (handler) => session.onConnectionChange(handler as (c: never) => void),
    onSnapshotRequired: (handler) => session.listeners.add(SNAPSHOT, handler as (...a: never[]) => void),
    onResumeError: (handler) => session.listeners.add(RESUME_ERROR, handler as (...a: never[]) => void),
    lastSeq: (workspaceId) => session.sync.lastSeq(workspaceId),
    get state() {
      return session.state;
    },
    sendBinary: (frame) => session.sendBinary(frame),
    onBinaryFrame: (handler) => session.listeners.add(BINARY, handler as (...a: never[]) => void),
    get bufferedAmount() {
      return session.bufferedAmount();
    },
    pauseReading: (paused) => session.pauseReading(paused),
    ready: () => session.ready(),
    close: () => session.close(),
  };
}
