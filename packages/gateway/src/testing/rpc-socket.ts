import WebSocket from 'ws';

export interface RpcNotification {
  method: string;
  params: Record<string, unknown>;
}

export interface RpcAnswer {
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string; data: { code: string; details?: Record<string, unknown> } };
}

/**
 * A bare JSON-RPC connection for tests that must speak the wire format themselves (malformed
 * frames, batches, raw errors): sends text or binary as given, and collects every answer and
 * notification. Tests of the typed surface use `@cairn/client` instead.
 */
export class RpcSocket {
  readonly socket: WebSocket;
  readonly notifications: RpcNotification[] = [];
  readonly answers: RpcAnswer[] = [];
  /** Frames that were neither (a batch answer is kept whole here too). */
  readonly frames: unknown[] = [];
  closed: { code: number; reason: string } | undefined;
  #nextId = 1;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        const frame = JSON.parse(String(data)) as unknown;
        this.frames.push(frame);
        if (Array.isArray(frame)) this.answers.push(...(frame as RpcAnswer[]));
        else if (typeof (frame as RpcNotification).method === 'string' && (frame as { id?: unknown }).id === undefined) this.notifications.push(frame as RpcNotification);
        else this.answers.push(frame as RpcAnswer);
      }
      for (const wake of this.#waiters) wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const wake of this.#waiters) wake();
    });
  }

  /** Opens a connection; rejects with the HTTP status when the handshake is refused. */
  static open(url: string, token: string | undefined, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<RpcSocket> {
    const headers = options.headers ?? {};
    const socket = new WebSocket(url, options.protocols ?? [], { headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new RpcSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`handshake refused: HTTP ${response.statusCode}`), { status: response.statusCode }));
        socket.terminate();
      });
      socket.once('error', reject);
    });
  }

  /** Sends a request and resolves with its answer (result or error, not thrown). */
  async request(method: string, params: unknown = {}): Promise<RpcAnswer> {
    const id = this.#nextId++;
    this.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.waitFor(() => this.answers.find((a) => a.id === id));
  }

  /** The result, or throws an Error carrying the error's `data.code`. */
  async call<T = Record<string, unknown>>(method: string, params: unknown = {}): Promise<T> {
    const answer = await this.request(method, params);
    if (answer.error) throw Object.assign(new Error(`${method}: ${answer.error.message}`), { code: answer.error.data.code, error: answer.error });
    return answer.result as T;
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Resolves once `check` answers something (re-checked on every frame), within `timeoutMs`. */
  waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const poll = () => {
        const value = check();
        if (value !== undefined && value !== false) {
          cleanup();
          resolve(value);
        } else if (this.closed) {
          cleanup();
          reject(new Error(`connection closed (${this.closed.code} ${this.closed.reason}) while waiting`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(poll);
      };
      this.#waiters.add(poll);
      poll();
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
