import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The running SHA-256 of an upload, whose state can be saved after a durable batch and loaded
 * after a restart (see `RunningHash`). `snapshot` and `digestHex` answer after every
 * `update` made before them.
 */
export interface ResumableHash {
  update(bytes: Uint8Array): void;
  /** The state after every byte so far (base64, opaque). */
  snapshot(): Promise<string>;
  /** Back to a saved state (null: no bytes), dropping what was hashed since. */
  restore(state: string | null): void;
  /** The hex digest of every byte so far; the hash goes on from the same state afterwards. */
  digestHex(): Promise<string>;
  close(): void;
}

// The worker is plain CommonJS evaluated from this string (no file of its own), so it runs the
// same from `dist` and from sources under tsx or jest. Messages are handled strictly in order.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createSHA256 } = require(workerData.hashWasm);
const hashers = new Map();
let chain = Promise.resolve();
async function handle(m) {
  switch (m.op) {
    case 'open': {
      const h = await createSHA256();
      h.init();
      if (m.state) h.load(Buffer.from(m.state, 'base64'));
      hashers.set(m.id, h);
      return undefined;
    }
    case 'update': hashers.get(m.id).update(m.bytes); return undefined;
    case 'save': return Buffer.from(hashers.get(m.id).save()).toString('base64');
    case 'load': { const h = hashers.get(m.id); if (m.state) h.load(Buffer.from(m.state, 'base64')); else h.init(); return undefined; }
    case 'digest': { const h = hashers.get(m.id); const s = h.save(); const d = h.digest('hex'); h.load(s); return d; }
    case 'close': hashers.delete(m.id); return undefined;
  }
  throw new Error('unknown op ' + m.op);
}
parentPort.on('message', (m) => {
  chain = chain.then(() => handle(m)).then(
    (value) => { if (m.seq !== undefined) parentPort.postMessage({ seq: m.seq, value }); },
    (error) => { if (m.seq !== undefined) parentPort.postMessage({ seq: m.seq, error: String(error && error.message || error) }); },
  );
});
`;

/**
 * One worker thread that keeps the running SHA-256 of every open upload (hash-wasm, whose
 * state can be saved), so that hashing runs beside the socket, file and database work of the
 * main thread instead of after it: the issue measured hashing as the ceiling of a one-thread
 * upload. Chunks are copied to the worker (structured clone of each chunk); the state the row
 * records is taken after the batch's last chunk, so it always matches `received_bytes`.
 */
export class HashWorkerPool {
  #worker: Worker | undefined;
  #nextSeq = 1;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();

  #post(message: Record<string, unknown>, reply: boolean): Promise<unknown> {
    const worker = this.#ensure();
    if (!reply) {
      worker.postMessage(message);
      return Promise.resolve(undefined);
    }
    const seq = this.#nextSeq++;
    return new Promise((resolve, reject) => {
      this.#pending.set(seq, { resolve, reject });
      worker.postMessage({ ...message, seq });
    });
  }

  #ensure(): Worker {
    if (this.#worker) return this.#worker;
    const hashWasm = createRequire(import.meta.url).resolve('hash-wasm');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm } });
    worker.unref();
    worker.on('message', (m: { seq: number; value?: unknown; error?: string }) => {
      const waiter = this.#pending.get(m.seq);
      if (!waiter) return;
      this.#pending.delete(m.seq);
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

  /** A hash in the worker, from `state` (a `snapshot()`; null: empty). */
  async open(state: string | null): Promise<ResumableHash> {
    const id = this.#nextId++;
    await this.#post({ op: 'open', id, state }, true);
    return {
      update: (bytes) => void this.#post({ op: 'update', id, bytes }, false),
      snapshot: async () => (await this.#post({ op: 'save', id }, true)) as string,
      restore: (saved) => void this.#post({ op: 'load', id, state: saved }, false),
      digestHex: async () => (await this.#post({ op: 'digest', id }, true)) as string,
      close: () => void (this.#worker ? this.#post({ op: 'close', id }, false) : undefined),
    };
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker) await worker.terminate();
  }
}
