import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** A resumable hash state and the offset it has reached (every byte before `offset` hashed). */
export interface HashPoint {
  offset: number;
  /** hash-wasm's saved state, base64 (opaque); null: no bytes yet. */
  state: string | null;
}

/**
 * The resumable SHA-256 of one upload, kept off the critical path: it trails the writes and
 * never holds an acknowledgement back. With a temp path it reads the bytes back from the
 * temp (page cache) itself, so no chunk is copied to it and its memory stays flat however
 * far it trails; without one, `update` hands it each chunk (a copy, or the chunk's own
 * buffer transferred) and `backlog` says how much it holds. `snapshot` answers at once with
 * the point reached; `digestHex(at)` waits until every byte before `at` is hashed.
 */
export interface ResumableHash {
  /** Bytes before `to` are written in the temp: hash up to there (temp-path mode). */
  advance(to: number): void;
  /** These bytes follow the last ones (no-path mode); `transfer`: `bytes.buffer` may be moved to the worker. */
  update(bytes: Uint8Array, transfer?: boolean): void;
  /** Bytes handed to `update` and not yet hashed (no-path mode; 0 with a temp path). */
  readonly backlog: number;
  /** The point reached now (at most the last `advance`/`update`), without waiting. */
  snapshot(): Promise<HashPoint>;
  /** Back to `point` (dropping what was hashed since): after the temp was cut back to at least `point.offset`. */
  restore(point: HashPoint): void;
  /** The hex digest of the bytes before `at`, once hashed; the hash goes on from the same state. */
  digestHex(at: number): Promise<string>;
  close(): void;
}

// The worker is plain CommonJS evaluated from this string (no file of its own), so it runs the
// same from `dist` and from sources under tsx or jest. It lowers its own thread's priority
// (Linux: `setpriority` on its thread id) so that on a busy machine it takes only CPU the
// socket, file and database work leave over; it hashes toward each upload's target in 1 MiB
// reads, yielding between them so `save` answers at once.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createSHA256 } = require(workerData.hashWasm);
try {
  const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
  if (tid > 0) require('node:os').setPriority(tid, 19);
} catch {}
const hashers = new Map();
const piece = Buffer.allocUnsafe(1 << 20);
function settle(e) {
  for (let i = e.waiters.length - 1; i >= 0; i--) {
    const w = e.waiters[i];
    if (e.error !== undefined) { e.waiters.splice(i, 1); parentPort.postMessage({ seq: w.seq, error: e.error }); }
    else if (e.offset >= w.at) {
      e.waiters.splice(i, 1);
      if (e.offset !== w.at) { parentPort.postMessage({ seq: w.seq, error: 'hashed past ' + w.at }); continue; }
      const s = e.h.save(); const d = e.h.digest('hex'); e.h.load(s);
      parentPort.postMessage({ seq: w.seq, value: d });
    }
  }
}
function pump(e) {
  if (e.running || e.closed) return;
  e.running = true;
  const step = () => {
    if (e.closed || e.offset >= e.target || e.error !== undefined) { e.running = false; settle(e); return; }
    try {
      if (e.fd === undefined) e.fd = fs.openSync(e.path, 'r');
      const n = fs.readSync(e.fd, piece, 0, Math.min(piece.length, e.target - e.offset), e.offset);
      if (n === 0) throw new Error('the temp ends at ' + e.offset + ', before ' + e.target);
      e.h.update(piece.subarray(0, n));
      e.offset += n;
    } catch (error) { e.error = String((error && error.message) || error); }
    settle(e);
    setImmediate(step);
  };
  step();
}
function reply(m, value) { if (m.seq !== undefined) parentPort.postMessage({ seq: m.seq, value }); }
function fail(m, error) { if (m.seq !== undefined) parentPort.postMessage({ seq: m.seq, error: String((error && error.message) || error) }); }
const opening = new Map();
parentPort.on('message', (m) => {
  if (m.op === 'open') {
    const ready = createSHA256().then((h) => {
      h.init();
      if (m.state) h.load(Buffer.from(m.state, 'base64'));
      hashers.set(m.id, { h, offset: m.offset, target: m.offset, path: m.path, fd: undefined, running: false, closed: false, waiters: [], error: undefined });
    });
    opening.set(m.id, ready);
    ready.then(() => { opening.delete(m.id); reply(m); }, (error) => { opening.delete(m.id); fail(m, error); });
    return;
  }
  const e = hashers.get(m.id);
  if (!e) return fail(m, 'no hash ' + m.id);
  try {
    switch (m.op) {
      case 'advance': if (m.to > e.target) e.target = m.to; pump(e); return;
      case 'update': {
        const bytes = new Uint8Array(m.buffer, m.byteOffset, m.length);
        e.h.update(bytes); e.offset += m.length; e.target = e.offset;
        parentPort.postMessage({ hashed: m.id, length: m.length });
        settle(e);
        return;
      }
      case 'save': return reply(m, { offset: e.offset, state: e.offset === 0 ? null : Buffer.from(e.h.save()).toString('base64') });
      case 'load':
        if (m.state) e.h.load(Buffer.from(m.state, 'base64')); else e.h.init();
        e.offset = m.offset; e.target = m.offset; e.error = undefined;
        return;
      case 'digest': e.waiters.push({ seq: m.seq, at: m.at }); settle(e); if (e.offset < m.at && e.path !== undefined) { if (m.at > e.target) e.target = m.at; pump(e); } return;
      case 'close': e.closed = true; hashers.delete(m.id); if (e.fd !== undefined) fs.closeSync(e.fd); for (const w of e.waiters) parentPort.postMessage({ seq: w.seq, error: 'closed' }); return;
    }
    fail(m, 'unknown op ' + m.op);
  } catch (error) { fail(m, error); }
});
`;

/**
 * One worker thread that keeps the resumable SHA-256 (hash-wasm, whose state can be saved and
 * loaded) of every open upload, beside and behind the main thread: the main thread checks
 * each chunk and the whole file with `node:crypto` (native, several times faster), and the
 * worker's state is what a checkpoint records, at the offset it has reached, so a restarted
 * gateway resumes from it and re-hashes only the gap from the temp.
 */
export class HashWorkerPool {
  #worker: Worker | undefined;
  #nextSeq = 1;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly #hashed = new Map<number, (length: number) => void>();

  #post(message: Record<string, unknown>, reply: boolean, transfer?: ArrayBuffer[]): Promise<unknown> {
    const worker = this.#ensure();
    if (!reply) {
      worker.postMessage(message, transfer);
      return Promise.resolve(undefined);
    }
    const seq = this.#nextSeq++;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      worker.postMessage({ ...message, seq }, transfer);
    });
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const hashWasm = createRequire(import.meta.url).resolve('hash-wasm');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm } });
    worker.unref();
    worker.on('message', (m: { seq?: number; value?: unknown; error?: string; hashed?: number; length?: number }) => {
      if (m.hashed !== undefined) {
        this.#hashed.get(m.hashed)?.(m.length as number);
        return;
      }
      const waiter = this.#pending.get(m.seq as number);
      if (!waiter) return;
      this.#pending.delete(m.seq as number);
      if (m.error !== undefined) waiter.reject(new Error(`hash worker: ${m.error}`));
      else waiter.resolve(m.value);
    });
    const fail = (error: Error) => {
      if (this.#worker === worker) this.#worker = undefined;
      for (const waiter of this.#pending.values()) waiter.reject(error);
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`hash worker exited with ${code}`)));
    this.#worker = worker;
    return worker;
  }

  /** A hash in the worker at `from` (a `snapshot()`; `{offset: 0, state: null}`: empty), reading the temp at `path` when given. */
  async open(from: HashPoint, path?: string): Promise<ResumableHash> {
    const id = this.#nextId++;
    await this.#post({ op: 'open', id, state: from.state, offset: from.offset, path }, true);
    let backlog = 0;
    this.#hashed.set(id, (length) => {
      backlog -= length;
    });
    return {
      get backlog() {
        return backlog;
      },
      advance: (to) => {
        if (path !== undefined) void this.#post({ op: 'advance', id, to }, false);
      },
      update: (bytes, transfer) => {
        backlog += bytes.length;
        if (transfer && bytes.buffer instanceof ArrayBuffer) {
          void this.#post({ op: 'update', id, buffer: bytes.buffer, byteOffset: bytes.byteOffset, length: bytes.length }, false, [bytes.buffer]);
        } else {
          const copy = bytes.slice();
          void this.#post({ op: 'update', id, buffer: copy.buffer, byteOffset: 0, length: copy.length }, false, [copy.buffer]);
        }
      },
      snapshot: async () => (await this.#post({ op: 'save', id }, true)) as HashPoint,
      restore: (point) => void this.#post({ op: 'load', id, state: point.state, offset: point.offset }, false),
      digestHex: async (at) => (await this.#post({ op: 'digest', id, at }, true)) as string,
      close: () => {
        this.#hashed.delete(id);
        if (this.#worker) void this.#post({ op: 'close', id }, false);
      },
    };
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
