/** A timer a `Clock` set; `cancel()` is idempotent and safe after it fired. */
export interface ClockTimer {
  cancel(): void;
}

/**
 * Time as the scheduler sees it. Every scheduler decision (what is due, lease expiry,
 * backoff) takes `now()`, and every wait goes through `sleep`/`setTimer`, so a test that
 * drives a `ManualClock` moves the whole scheduler through simulated time without waiting.
 */
export interface Clock {
  now(): Date;
  /** Resolves after `ms` (at once when `signal` aborts: waits never outlive a shutdown). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms`. */
  setTimer(ms: number, fn: () => void): ClockTimer;
}

/** The wall clock: `Date`, `setTimeout` (unref'd, so a pending wait never holds the process open). */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, Math.max(0, ms));
      timer.unref();
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
  setTimer(ms, fn) {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

interface PendingTimer {
  readonly at: number;
  readonly order: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told: `advance(ms)` / `set(date)` fire the timers and sleeps
 * that fall due, in due order (ties in the order they were set), each at its own instant
 * (`now()` inside a callback is the instant it was due). For tests of the scheduler.
 */
export class ManualClock implements Clock {
  #now: number;
  #order = 0;
  #pending: PendingTimer[] = [];

  constructor(start: Date | string | number = '2026-01-01T00:00:00.000Z') {
    this.#now = new Date(start).getTime();
    if (!Number.isFinite(this.#now)) throw new Error(`ManualClock: invalid start ${String(start)}`);
  }

  now(): Date {
    return new Date(this.#now);
  }

  /** Timers and sleeps not fired yet. */
  get pending(): number {
    return this.#pending.filter((t) => !t.cancelled).length;
  }

  setTimer(ms: number, fn: () => void): ClockTimer {
    const timer: PendingTimer = { at: this.#now + Math.max(0, ms), order: this.#order++, fire: fn, cancelled: false };
    this.#pending.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = this.setTimer(ms, done);
      function done() {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** Moves time forward by `ms`, firing what falls due on the way. Resolves after each fired callback's microtasks ran. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new Error('ManualClock.advance: ms must be >= 0');
    await this.set(this.#now + ms);
  }

  /** Moves time to `to` (never backwards), firing what falls due on the way. */
  async set(to: Date | string | number): Promise<void> {
    const target = new Date(to).getTime();
    if (!(target >= this.#now)) throw new Error('ManualClock.set: time never goes backwards');
    for (;;) {
      this.#pending = this.#pending.filter((t) => !t.cancelled);
      const next = this.#pending.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!next) break;
      this.#pending.splice(this.#pending.indexOf(next), 1);
      this.#now = Math.max(this.#now, next.at);
      next.fire();
      // Let what the callback resumed (an awaited sleep) run before the next timer fires.
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
