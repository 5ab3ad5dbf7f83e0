import type { FastifyBaseLogger } from 'fastify';
import { readWorkspaceAfter, workspaceHead, type CrudStore, type JournalEvent } from '@cairn/crud';
import { CairnError, hasErrorCode } from '@cairn/protocol';
import type { SecretRedactor } from '@cairn/keystore';
import { CLOSE, type Session, type WorkspaceSubscription } from '../session/session.js';
import { toNotification } from './to-notification.js';

export interface NotificationHubOptions {
  store: CrudStore;
  redactor: SecretRedactor;
  log: FastifyBaseLogger;
  /** Events read per journal query. */
  pageSize?: number;
  /** Recent events kept per workspace, so N subscribers of a workspace cost one journal read per wake. */
  cacheEvents?: number;
  /** Called with every notification sent (metrics). */
  onSent?: (method: string) => void;
  /** Tells other gateways about a commit made through this one (`wake`, not `wakeFromElsewhere`). */
  publish?: (workspaceId: string) => void;
}

interface WorkspaceFeed {
  /** Events after `base`, in `seq` order, contiguous. */
  events: JournalEvent[];
  /** The seq just before `events[0]`; the feed knows nothing at or before it. */
  base: number;
  /** Serializes journal reads of this workspace. */
  reading: Promise<void> | undefined;
  /** A wake arrived since the last read. */
  stale: boolean;
}

/**
 * Notifications come from the journal and only from it: a wake (after a commit through this
 * gateway, a PostgreSQL NOTIFY from another one, or the poll) makes the hub read the events of
 * the workspace after what it knows, and each subscribed connection is sent what follows its
 * own cursor, in `seq` order. Live delivery and `sync/resume` run the same pump from a cursor,
 * so a resume followed by live events has no gap and no duplicate by construction. Nothing is
 * sent before it is committed, because nothing is read before it is committed.
 */
export class NotificationHub {
  readonly #store: CrudStore;
  readonly #redactor: SecretRedactor;
  readonly #log: FastifyBaseLogger;
  readonly #pageSize: number;
  readonly #cacheEvents: number;
  readonly #onSent: (method: string) => void;
  readonly #publish: (workspaceId: string) => void;
  readonly #feeds = new Map<string, WorkspaceFeed>();
  /** Subscriptions per workspace. */
  readonly #subscribers = new Map<string, Set<WorkspaceSubscription>>();
  readonly #sessionOf = new WeakMap<WorkspaceSubscription, Session>();
  readonly #wakeListeners = new Set<(workspaceId: string) => void>();
  #closed = false;

  constructor(options: NotificationHubOptions) {
    this.#store = options.store;
    this.#redactor = options.redactor;
    this.#log = options.log;
    this.#pageSize = options.pageSize ?? 256;
    this.#cacheEvents = options.cacheEvents ?? 4096;
    this.#onSent = options.onSent ?? (() => {});
    this.#publish = options.publish ?? (() => {});
  }

  /** Workspaces some connection is subscribed to (what the poll and NOTIFY listener watch). */
  watchedWorkspaces(): string[] {
    return [...this.#subscribers.keys()];
  }

  /** The workspace's journal head now. */
  head(workspaceId: string): Promise<number> {
    return this.#store.context.read((q) => workspaceHead(q, workspaceId));
  }

  /**
   * Subscribes the session to threads of a workspace (or all of them). A first subscription
   * to the workspace starts at `cursor` (default: the head, so only what happens from now is
   * sent); a later one keeps the connection's cursor, so nothing is sent twice.
   */
  async subscribe(session: Session, workspaceId: string, threads: readonly string[] | 'all', cursor?: number): Promise<WorkspaceSubscription> {
    const existing = session.subscriptions.get(workspaceId);
    const sub = existing ?? session.subscription(workspaceId, cursor ?? (await this.head(workspaceId)));
    if (threads === 'all') {
      sub.all = true;
      sub.excluded.clear();
    } else {
      for (const thread of threads) {
        sub.threads.add(thread);
        sub.excluded.delete(thread);
      }
    }
    this.#register(session, sub);
    return sub;
  }

  unsubscribe(session: Session, workspaceId: string, threadId: string): boolean {
    const sub = session.subscriptions.get(workspaceId);
    if (!sub) return false;
    const named = sub.threads.delete(threadId);
    // From a whole-workspace subscription the thread is excluded; the other threads keep coming.
    if (sub.all && !sub.excluded.has(threadId)) {
      sub.excluded.add(threadId);
      return true;
    }
    return named;
  }

  /**
   * `sync/resume`: every notification of the workspace after `afterSeq` for the given threads
   * (or all), sent now, before the call answers; then live from there. Replaces the
   * connection's cursor for the workspace. Throws `snapshot_required` before the retention point.
   */
  async resume(session: Session, workspaceId: string, afterSeq: number, threads: readonly string[] | 'all'): Promise<{ head: number; replayed: number }> {
    // Checked first: a cursor before the retention point changes nothing on the connection.
    // The refusal carries the head, so a client can reload and resume from there in one step.
    try {
      await this.#store.context.read((q) => readWorkspaceAfter(q, workspaceId, afterSeq, 1));
    } catch (error) {
      if (!hasErrorCode(error, 'snapshot_required')) throw error;
      throw new CairnError('snapshot_required', error.message, { details: { ...error.details, head_seq: await this.head(workspaceId) }, cause: error });
    }
    let sub = session.subscriptions.get(workspaceId);
    // Wait for pumps in progress to finish, then move the cursor with no await in between, so no
    // pump runs while it moves (a wake in between would start one from the old cursor).
    while (sub?.pumping) await sub.pumping;
    sub ??= session.subscription(workspaceId, afterSeq);
    sub.cursor = afterSeq;
    sub.all = threads === 'all';
    sub.threads.clear();
    sub.excluded.clear();
    if (threads !== 'all') for (const thread of threads) sub.threads.add(thread);
    this.#register(session, sub);
    const replayed = await this.#pumpNow(sub);
    return { head: sub.cursor, replayed };
  }

  /** This gateway committed something to the workspace: send it on here, and tell the other gateways. Never throws. */
  wake(workspaceId: string): void {
    if (this.#closed) return;
    this.#publish(workspaceId);
    this.wakeFromElsewhere(workspaceId);
  }

  /** Another process may have committed to the workspace (a NOTIFY, the poll): read and send on. Never throws. */
  wakeFromElsewhere(workspaceId: string): void {
    if (this.#closed) return;
    for (const listener of this.#wakeListeners) listener(workspaceId);
    const subs = this.#subscribers.get(workspaceId);
    if (!subs || subs.size === 0) return;
    const feed = this.#feeds.get(workspaceId);
    if (feed) feed.stale = true;
    for (const sub of subs) this.#schedule(sub);
  }

  /**
   * Hears every wake (local commits, NOTIFY, the poll of watched workspaces), before any read:
   * in-process waiters (the task scheduler's agent runs) re-check state at once instead of
   * polling. A listener must not throw. Returns the unsubscribe function.
   */
  onWake(listener: (workspaceId: string) => void): () => void {
    this.#wakeListeners.add(listener);
    return () => this.#wakeListeners.delete(listener);
  }

  detach(session: Session): void {
    for (const sub of session.subscriptions.values()) {
      const subs = this.#subscribers.get(sub.workspaceId);
      subs?.delete(sub);
      if (subs && subs.size === 0) {
        this.#subscribers.delete(sub.workspaceId);
        this.#feeds.delete(sub.workspaceId);
      }
    }
  }

  /** Waits for every pump in progress (shutdown). */
  async drain(): Promise<void> {
    const pending: Array<Promise<void>> = [];
    for (const subs of this.#subscribers.values()) for (const sub of subs) if (sub.pumping) pending.push(sub.pumping);
    await Promise.allSettled(pending);
  }

  close(): void {
    this.#closed = true;
  }

  #register(session: Session, sub: WorkspaceSubscription): void {
    let subs = this.#subscribers.get(sub.workspaceId);
    if (!subs) this.#subscribers.set(sub.workspaceId, (subs = new Set()));
    subs.add(sub);
    this.#sessionOf.set(sub, session);
  }

  #schedule(sub: WorkspaceSubscription): void {
    if (sub.pumping) {
      sub.again = true;
      return;
    }
    void this.#pumpNow(sub).catch(() => {});
  }

  /** Runs the subscription's pump (or joins the running one and runs again after it); resolves with what this run sent. */
  async #pumpNow(sub: WorkspaceSubscription): Promise<number> {
    while (sub.pumping) await sub.pumping;
    let sent = 0;
    const run = (async () => {
      do {
        sub.again = false;
        sent += await this.#pump(sub);
      } while (sub.again && !this.#closed);
    })();
    sub.pumping = run.finally(() => {
      sub.pumping = undefined;
    });
    await sub.pumping;
    return sent;
  }

  async #pump(sub: WorkspaceSubscription): Promise<number> {
    const session = this.#sessionOf.get(sub);
    if (!session || session.closed) return 0;
    let sent = 0;
    try {
      for (;;) {
        const events = await this.#eventsAfter(sub.workspaceId, sub.cursor);
        if (events.length === 0) return sent;
        for (const event of events) {
          if (session.closed) return sent;
          sub.cursor = event.workspaceSeq;
          if (!follows(sub, event.threadId)) continue;
          const notification = toNotification(event);
          if (!notification) continue;
          if (!session.send({ jsonrpc: '2.0', method: notification.method, params: this.#redactor.redactDeep(notification.params) }, 'notification')) return sent;
          sent++;
          this.#onSent(notification.method);
        }
        // On until nothing follows the cursor: a short page may only be the end of the feed's read-ahead.
      }
    } catch (error) {
      if (hasErrorCode(error, 'snapshot_required')) {
        // Retention moved past what this connection was sent: it must reload, as after a reconnect.
        session.close(CLOSE.resyncRequired);
        return sent;
      }
      this.#log.warn({ err: error, workspace_id: sub.workspaceId }, 'notifications not read; the next wake retries');
      throw error;
    }
  }

  /** Events of the workspace after `cursor`: from the feed when it covers them, else from the journal. */
  async #eventsAfter(workspaceId: string, cursor: number): Promise<JournalEvent[]> {
    const feed = await this.#refresh(workspaceId);
    if (cursor >= feed.base) {
      const start = cursor - feed.base;
      if (start < feed.events.length) return feed.events.slice(start, start + this.#pageSize);
      return [];
    }
    return this.#store.context.read((q) => readWorkspaceAfter(q, workspaceId, cursor, this.#pageSize));
  }

  /**
   * The workspace's feed, brought up to the journal head when a wake marked it stale (one
   * reader per workspace at a time, so N subscribers cost one read per wake). A new feed starts
   * at the head: a subscriber behind it reads the journal itself until it catches up.
   */
  async #refresh(workspaceId: string): Promise<WorkspaceFeed> {
    let feed = this.#feeds.get(workspaceId);
    if (!feed) {
      const head = await this.head(workspaceId);
      feed = this.#feeds.get(workspaceId);
      if (!feed) {
        feed = { events: [], base: head, reading: undefined, stale: true };
        this.#feeds.set(workspaceId, feed);
      }
    }
    const current = feed;
    while (current.reading) await current.reading;
    if (!current.stale) return current;
    current.stale = false;
    current.reading = (async () => {
      // About `cacheEvents` are read ahead at most: a larger backlog (a bulk import) is read on as
      // the subscribers take it (the feed stays stale), so memory holds no more than that. A
      // subscriber the trim below leaves behind reads the journal itself until it catches up.
      for (;;) {
        const after = current.base + current.events.length;
        const events = await this.#store.context.read((q) => readWorkspaceAfter(q, workspaceId, after, this.#pageSize));
        current.events.push(...events);
        if (events.length < this.#pageSize) break;
        if (current.events.length >= this.#cacheEvents) {
          current.stale = true;
          break;
        }
      }
      // Events every subscriber has passed are dropped: the feed holds only what someone still
      // needs (bounded by the slow-consumer limit) and at most `cacheEvents` of it.
      const slowest = Math.min(...[...(this.#subscribers.get(workspaceId) ?? [])].map((sub) => sub.cursor));
      const passed = Number.isFinite(slowest) ? Math.min(current.events.length, Math.max(0, slowest - current.base)) : 0;
      if (passed > 0) {
        current.events.splice(0, passed);
        current.base += passed;
      }
      const excess = current.events.length - this.#cacheEvents;
      if (excess > 0) {
        current.events.splice(0, excess);
        current.base += excess;
      }
    })()
      .catch((error: unknown) => {
        current.stale = true;
        throw error;
      })
      .finally(() => {
        current.reading = undefined;
      });
    await current.reading;
    return current;
  }
}

/** Whether the subscription follows the thread an event belongs to. */
function follows(sub: WorkspaceSubscription, threadId: string | null): boolean {
  if (threadId === null) return sub.all;
  return sub.all ? !sub.excluded.has(threadId) || sub.threads.has(threadId) : sub.threads.has(threadId);
}
