import { DIRECT_NOTIFICATIONS, METHODS, type AnyNotification, type MethodName, type ParamsOf, type ResultOf } from '@cairn/protocol';
import { CairnClientError, rpcErrorFromWire } from '../errors/client-errors.js';
import type { AuthTransport, DefaultTransport, WebSocketConstructor, WebSocketLike } from '../transport/websocket-like.js';
import { abort, CLOSE_UNAUTHORIZED, openSocket, type SocketDown } from './connection.js';
import { ANY, BINARY, CONNECTION, Listeners, NOTIFICATION } from './listeners.js';
import { reconnectDelay, resolveOptions, type CairnClientOptions, type ResolvedOptions } from './options.js';
import { RequestTable, type PendingCall } from './request-table.js';
import { observeResult } from './observe-result.js';
import { resumeWorkspace } from './resume.js';
import { SyncState } from './sync-state.js';
import type { BatchEntry, BatchOutcomes, ConnectionChange, ConnectionState, RpcMethods } from './types.js';
import { journalPosition, parseFrame } from './wire.js';

/**
 * One client: a socket at a time, reconnected with backoff until `close()` or a terminal
 * refusal. Calls are sent only once the socket is open AND every subscribed workspace has
 * been resumed, so the replay of what was missed reaches handlers before anything the app
 * queued meanwhile is answered.
 */
export class ClientSession {
  readonly options: ResolvedOptions;
  readonly sync = new SyncState();
  readonly listeners: Listeners;
  private readonly requests: RequestTable;
  private socket: WebSocketLike | null = null;
  private transport: { WebSocket: WebSocketConstructor; auth: AuthTransport } | undefined;
  private connectionState: ConnectionState = 'connecting';
  /** Open and resumed: user calls go straight out. */
  private live = false;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private terminalError: Error | undefined;
  /** Workspaces whose notifications are dropped while a snapshot resume from the head replays what the app will reload anyway. */
  readonly suppressed = new Set<string>();

  constructor(
    options: CairnClientOptions,
    private readonly defaultTransport: DefaultTransport,
  ) {
    this.options = resolveOptions(options);
    this.listeners = new Listeners(this.options.onHandlerError);
    this.requests = new RequestTable(this.options.requestTimeoutMs, this.options.maxQueuedCalls);
    void this.connect();
  }

  get state(): ConnectionState {
    return this.connectionState;
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return new Promise<ResultOf<M>>((resolve, reject) => {
      if (this.terminalError) return reject(this.terminalError);
      this.dispatch([this.requests.create(method, params, resolve as (r: unknown) => void, reject)], false);
    });
  }

  batch<const E extends readonly BatchEntry[]>(entries: E): Promise<BatchOutcomes<E>> {
    const calls: PendingCall[] = [];
    const outcomes = entries.map(
      ({ method, params }) =>
        new Promise((done) => {
          calls.push(this.requests.create(method, params, (result) => done({ ok: true, result }), (error) => done({ ok: false, error })));
        }),
    );
    // JSON-RPC forbids an empty batch array; an empty batch answers nothing without a frame.
    if (this.terminalError) for (const call of calls) call.reject(this.terminalError);
    else if (calls.length > 0) this.dispatch(calls, true);
    return Promise.all(outcomes) as Promise<unknown> as Promise<BatchOutcomes<E>>;
  }

  rpcMethods(): RpcMethods {
    const table: Record<string, (params: unknown) => Promise<unknown>> = {};
    for (const method of Object.keys(METHODS)) table[method] = (params) => this.call(method as MethodName, params as never);
    return Object.freeze(table) as unknown as RpcMethods;
  }

  /** A call the session itself makes (the resumes), sent on the open socket ahead of the queue. */
  sendNow<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return new Promise<ResultOf<M>>((resolve, reject) => {
      const call = this.requests.create(method, params, resolve as (r: unknown) => void, reject);
      this.write([call], false);
    });
  }

  private dispatch(calls: PendingCall[], batch: boolean): void {
    if (this.live) this.write(calls, batch);
    else this.requests.enqueue(calls, batch);
  }

  private write(calls: PendingCall[], batch: boolean): void {
    const socket = this.socket;
    if (!socket) {
      for (const call of calls) call.reject(new CairnClientError('connection_lost', `${call.method}: the socket closed before the call was sent`));
      return;
    }
    try {
      socket.send(this.requests.frameText(calls, batch));
    } catch (cause) {
      for (const call of calls) call.reject(new CairnClientError('connection_lost', `${call.method}: the socket refused the frame`, { cause }));
    }
  }

  private async connect(): Promise<void> {
    if (this.terminalError) return;
    try {
      this.transport ??= this.options.WebSocket
        ? { WebSocket: this.options.WebSocket, auth: this.options.auth ?? 'protocol' }
        : await this.defaultTransport().then((t) => ({ WebSocket: t.WebSocket, auth: this.options.auth ?? t.auth }));
    } catch (error) {
      return this.stop(error instanceof Error ? error : new CairnClientError('transport_unavailable', String(error)));
    }
    if (this.terminalError) return;
    const { WebSocket, auth } = this.transport as { WebSocket: WebSocketConstructor; auth: AuthTransport };
    let socket: WebSocketLike;
    try {
      socket = openSocket(WebSocket, auth, this.options.url, this.options.token, this.options.connectTimeoutMs, {
        open: () => void this.onOpen(socket),
        message: (data) => this.onFrame(data),
        down: (info) => this.onDown(socket, info),
      });
    } catch (error) {
      return this.stop(error as Error);
    }
    this.socket = socket;
  }

  private async onOpen(socket: WebSocketLike): Promise<void> {
    if (this.socket !== socket) return;
    for (const plan of this.sync.resumePlans()) {
      const outcome = await resumeWorkspace(this, plan);
      if (this.socket !== socket) return;
      if (outcome === 'lost') return abort(socket);
    }
    this.live = true;
    this.attempt = 0;
    this.setState({ state: 'open' });
    for (const frame of this.requests.drain()) this.write(frame.calls, frame.batch);
  }

  /** Sends one binary frame on the open socket; false when there is none (the transfer helpers resume after the reconnect). */
  sendBinary(frame: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || !this.live || socket.readyState !== 1) return false;
    try {
      socket.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Bytes the current socket has queued but not sent (0 without a socket or a transport that reports it). */
  bufferedAmount(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  /** Stops (true) or restarts reading the socket, where the transport can (`ws`): a download whose sink is slow holds the gateway back through TCP. */
  pauseReading(paused: boolean): void {
    const socket = this.socket as { pause?: () => void; resume?: () => void } | null;
    if (paused) socket?.pause?.();
    else socket?.resume?.();
  }

  private onFrame(data: unknown): void {
    if (typeof data !== 'string') {
      const bytes = binaryOf(data);
      if (bytes) this.listeners.emit(BINARY, bytes);
      return;
    }
    for (const message of parseFrame(data)) {
      if (message.kind === 'notification') this.onNotification(message.method, message.params);
      else {
        const call = this.requests.get(message.id);
        if (!call) continue;
        if (!message.ok) call.reject(rpcErrorFromWire(call.method, message.error));
        else {
          observeResult(this.sync, call.method, call.params, message.result);
          call.resolve(message.result);
        }
      }
    }
  }

  private onNotification(method: string, params: unknown): void {
    const position = journalPosition(params);
    if (position) {
      if (this.suppressed.has(position.workspaceId)) return;
      if (!this.sync.accept(position.workspaceId, position.seq)) return;
    }
    this.listeners.emit(NOTIFICATION + method, params);
    // Direct notifications (upload chunk acks) are per-connection flow control, not journal news.
    if (!Object.hasOwn(DIRECT_NOTIFICATIONS, method)) this.listeners.emit(ANY, { method, params } as AnyNotification);
  }

  private onDown(socket: WebSocketLike, info: SocketDown): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.live = false;
    this.suppressed.clear();
    if (this.terminalError) return;
    const refused = refusal(info);
    // A refusal fails what was in flight with the refusal itself, so the app sees why.
    if (refused) return this.stop(refused);
    const lost = new CairnClientError('connection_lost', `the socket closed (code ${info.code ?? 'none'}${info.reason ? `, ${info.reason}` : ''}) before the answer`);
    this.requests.failSent(lost);
    const { maxAttempts } = this.options.reconnect;
    if (this.attempt >= maxAttempts) {
      return this.stop(new CairnClientError('reconnect_exhausted', `gave up after ${this.attempt} failed reconnect attempts`, { cause: lost }));
    }
    const delayMs = reconnectDelay(this.attempt, this.options.reconnect);
    this.attempt++;
    this.setState({ state: 'reconnecting', attempt: this.attempt, delayMs, error: lost, ...(info.code === undefined ? {} : { closeCode: info.code }) });
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  /** Terminal: nothing is sent or retried again, every waiting call fails with `error`. */
  stop(error: Error): void {
    if (this.terminalError) return;
    this.terminalError = error;
    this.live = false;
    clearTimeout(this.reconnectTimer);
    this.requests.failAll(error);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= 1) socket.close(1000, 'client closed');
    this.setState({ state: 'closed', error });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    const closed = socket && socket.readyState !== 3 ? waitForClose(socket) : Promise.resolve();
    this.stop(new CairnClientError('client_closed', 'the client was closed'));
    await closed;
  }

  ready(): Promise<void> {
    if (this.live) return Promise.resolve();
    if (this.terminalError) return Promise.reject(this.terminalError);
    return new Promise((resolve, reject) => {
      const off = this.listeners.add(CONNECTION, (change: ConnectionChange) => {
        if (change.state === 'open') resolve();
        else if (change.state === 'closed') reject(change.error);
        else return;
        off();
      });
    });
  }

  onNotificationHandler(name: string, handler: (params: never) => void): () => void {
    return this.listeners.add(NOTIFICATION + name, handler);
  }

  onAnyHandler(handler: (notification: never) => void): () => void {
    return this.listeners.add(ANY, handler);
  }

  onConnectionChange(handler: (change: never) => void): () => void {
    return this.listeners.add(CONNECTION, handler);
  }

  private setState(change: ConnectionChange): void {
    this.connectionState = change.state;
    this.listeners.emit(CONNECTION, change);
  }
}

/** A binary message as bytes: `ws` gives a Buffer (or an array of them), browsers an ArrayBuffer. */
function binaryOf(data: unknown): Uint8Array | undefined {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data) && data.every((part) => part instanceof Uint8Array)) {
    const parts = data as Uint8Array[];
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
  return undefined;
}

/** 401/403 at the handshake or close code 4001: the token is not (or no longer) good, and retrying cannot fix that. */
function refusal(info: SocketDown): CairnClientError | undefined {
  if (info.httpStatus === 401 || info.httpStatus === 403) {
    return new CairnClientError('unauthorized', `the gateway refused the token at the handshake (HTTP ${info.httpStatus})`);
  }
  if (info.code === CLOSE_UNAUTHORIZED) {
    return new CairnClientError('unauthorized', `the gateway closed the connection: ${info.reason || 'unauthorized'} (code 4001)`);
  }
  return undefined;
}

/** Resolves when the socket's close event fires, or after 2 s: `close()` never hangs on a peer that does not answer the closing handshake. */
function waitForClose(socket: WebSocketLike): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      abort(socket);
      resolve();
    }, 2_000);
    socket.addEventListener('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

