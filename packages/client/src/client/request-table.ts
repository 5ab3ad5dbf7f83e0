import { CairnClientError } from '../errors/client-errors.js';
import { requestFrame } from './wire.js';

/** One call waiting for its answer. */
export interface PendingCall {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
  sent: boolean;
  settled: boolean;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** What goes out as one frame: a single request or a batch array. */
interface Frame {
  readonly calls: PendingCall[];
  readonly batch: boolean;
}

/**
 * Ids, timeouts, the in-flight map and the bounded queue of frames held while the client is
 * not connected. Every call settles exactly once (answer, timeout, or failure of the
 * connection), and its timer is cleared when it does, so nothing keeps a process alive.
 */
export class RequestTable {
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall & { timer: ReturnType<typeof setTimeout> }>();
  private queue: Frame[] = [];

  constructor(
    private readonly timeoutMs: number,
    private readonly maxQueued: number,
  ) {}

  create(method: string, params: unknown, resolve: (result: unknown) => void, reject: (error: unknown) => void): PendingCall {
    const id = this.nextId++;
    const settle = (fn: () => void) => {
      if (call.settled) return;
      call.settled = true;
      clearTimeout(call.timer);
      this.pending.delete(id);
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(new CairnClientError('request_timeout', `${method}: no answer within ${this.timeoutMs} ms`))),
      this.timeoutMs,
    );
    const call = {
      id,
      method,
      params,
      sent: false,
      settled: false,
      timer,
      resolve: (result: unknown) => settle(() => resolve(result)),
      reject: (error: unknown) => settle(() => reject(error)),
    };
    this.pending.set(id, call);
    return call;
  }

  get(id: number): PendingCall | undefined {
    return this.pending.get(id);
  }

  /** Holds a frame until `drain`; false (and the calls rejected) when the queue is full. */
  enqueue(calls: PendingCall[], batch: boolean): boolean {
    if (this.queue.length >= this.maxQueued) {
      const error = new CairnClientError('queue_full', `not connected and ${this.maxQueued} calls already wait; retry later`);
      for (const call of calls) call.reject(error);
      return false;
    }
    this.queue.push({ calls, batch });
    return true;
  }

  /** The queued frames in call order, without the calls that timed out meanwhile. */
  drain(): Frame[] {
    const frames = this.queue;
    this.queue = [];
    return frames.map((f) => ({ calls: f.calls.filter((c) => !c.settled), batch: f.batch })).filter((f) => f.calls.length > 0);
  }

  /** The frame's wire text; marks its calls sent. */
  frameText(calls: PendingCall[], batch: boolean): string {
    for (const call of calls) call.sent = true;
    const frames = calls.map((c) => requestFrame(c.id, c.method, c.params));
    return JSON.stringify(batch ? frames : frames[0]);
  }

  /** The socket dropped: what was sent will never be answered on it. Queued calls stay queued. */
  failSent(error: Error): void {
    for (const call of [...this.pending.values()]) if (call.sent) call.reject(error);
  }

  failAll(error: Error): void {
    this.queue = [];
    for (const call of [...this.pending.values()]) call.reject(error);
  }
}
