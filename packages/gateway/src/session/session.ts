import type { WebSocket } from 'ws';
import type { Principal } from '../auth/principal.js';

/** Close codes the gateway uses (4000-4999 are the application's). */
export const CLOSE = {
  /** The connection fell behind its notification buffer: reconnect and `sync/resume` from the last `seq`. */
  resyncRequired: { code: 4000, reason: 'resync_required' },
  /** The token was revoked or expired: do not reconnect with it. */
  unauthorized: { code: 4001, reason: 'unauthorized' },
  /** The gateway is shutting down: reconnect (to another gateway, or this one once it is back). */
  shuttingDown: { code: 1001, reason: 'shutting_down' },
  /** Binary frames are not part of this method set. */
  unsupportedData: { code: 1003, reason: 'unsupported_data' },
} as const;

/** One thread subscription set of one workspace on a connection, and how far its notifications have been sent. */
export interface WorkspaceSubscription {
  readonly workspaceId: string;
  /** Every thread of the workspace (a `sync/resume` without `thread_ids`), but those in `excluded`. */
  all: boolean;
  readonly threads: Set<string>;
  /** Threads `thread/unsubscribe` took out of a whole-workspace subscription. */
  readonly excluded: Set<string>;
  /** The last `seq` of this workspace the connection has been sent (or passed over). */
  cursor: number;
  /** The pump that sends this subscription's notifications, one at a time. */
  pumping: Promise<void> | undefined;
  /** Set while pumping: another wake arrived, read again before stopping. */
  again: boolean;
}

let nextSessionId = 1;

/**
 * One WebSocket connection: who it acts as, what it has subscribed, and how much it may queue.
 * Sending goes through `send`, which refuses to grow the socket's buffer past the limit: a
 * connection that falls behind is closed with `resync_required` instead.
 */
export class Session {
  readonly id = nextSessionId++;
  readonly principal: Principal;
  readonly socket: WebSocket;
  readonly subscriptions = new Map<string, WorkspaceSubscription>();
  readonly #bufferLimit: number;
  inFlight = 0;
  #closed = false;

  constructor(socket: WebSocket, principal: Principal, bufferLimit: number) {
    this.socket = socket;
    this.principal = principal;
    this.#bufferLimit = bufferLimit;
  }

  get closed(): boolean {
    return this.#closed || this.socket.readyState !== this.socket.OPEN;
  }

  /**
   * Sends one JSON frame; false (and the connection is closing) when it could not. Answers are
   * always sent (they are bounded by the in-flight limit times the largest result); a
   * notification that would push the socket's unsent bytes past the buffer limit closes the
   * connection with `resync_required` instead.
   */
  send(frame: unknown, kind: 'answer' | 'notification' = 'answer'): boolean {
    if (this.closed) return false;
    const text = JSON.stringify(frame);
    // A notification larger than the whole limit still goes out when nothing is queued: refusing
    // it would close every resume at the same notification, and the client could never pass it.
    const buffered = this.socket.bufferedAmount;
    if (kind === 'notification' && buffered > 0 && buffered + text.length > this.#bufferLimit) {
      this.close(CLOSE.resyncRequired);
      return false;
    }
    this.socket.send(text);
    return true;
  }

  subscription(workspaceId: string, cursor: number): WorkspaceSubscription {
    let sub = this.subscriptions.get(workspaceId);
    if (!sub) {
      sub = { workspaceId, all: false, threads: new Set(), excluded: new Set(), cursor, pumping: undefined, again: false };
      this.subscriptions.set(workspaceId, sub);
    }
    return sub;
  }

  close(how: { code: number; reason: string }): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.socket.close(how.code, how.reason);
    } catch {
      this.socket.terminate();
    }
  }

  /** Marks the session closed after the socket closed from the other side. */
  markClosed(): void {
    this.#closed = true;
  }
}
