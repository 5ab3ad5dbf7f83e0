import type { AuthTransport, WebSocketConstructor } from '../transport/websocket-like.js';

export interface ReconnectOptions {
  /** Delay ceiling of the first reconnect attempt. Default 250 ms. */
  initialDelayMs?: number;
  /** The ceiling never grows past this. Default 30 000 ms. */
  maxDelayMs?: number;
  /** Ceiling growth per consecutive failed attempt. Default 2. */
  factor?: number;
  /** Full jitter: wait a uniform random time in [0, ceiling). Default true. */
  jitter?: boolean;
  /** Consecutive failed attempts before the client gives up (`reconnect_exhausted`). Default Infinity. */
  maxAttempts?: number;
}

export interface CairnClientOptions {
  /** `ws://host:port/rpc` or `wss://...`. */
  url: string;
  token: string;
  /** A WebSocket constructor; default: `ws` in Node (loaded lazily), the global WebSocket elsewhere. */
  WebSocket?: WebSocketConstructor;
  /** How the token travels. Default: `'header'` with the default Node transport, `'protocol'` otherwise. */
  auth?: AuthTransport;
  reconnect?: ReconnectOptions;
  /** Per call, counted from the call (time spent queued included). Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** A handshake not open by then is abandoned and retried. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Calls (a batch counts as one) held while not connected; one more is rejected with `queue_full`. Default 256; 0 rejects every call made while disconnected. */
  maxQueuedCalls?: number;
  /** Receives what a notification or event handler threw; default `console.error`. Delivery to the other handlers goes on. */
  onHandlerError?: (error: unknown) => void;
}

export interface ResolvedOptions {
  url: string;
  token: string;
  WebSocket: WebSocketConstructor | undefined;
  auth: AuthTransport | undefined;
  reconnect: Required<ReconnectOptions>;
  requestTimeoutMs: number;
  connectTimeoutMs: number;
  maxQueuedCalls: number;
  onHandlerError: (error: unknown) => void;
}

export function resolveOptions(options: CairnClientOptions): ResolvedOptions {
  const r = options.reconnect ?? {};
  return {
    url: options.url,
    token: options.token,
    WebSocket: options.WebSocket,
    auth: options.auth,
    reconnect: {
      initialDelayMs: r.initialDelayMs ?? 250,
      maxDelayMs: r.maxDelayMs ?? 30_000,
      factor: r.factor ?? 2,
      jitter: r.jitter ?? true,
      maxAttempts: r.maxAttempts ?? Number.POSITIVE_INFINITY,
    },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
    maxQueuedCalls: options.maxQueuedCalls ?? 256,
    onHandlerError: options.onHandlerError ?? ((error) => console.error('@cairn/client: a handler threw', error)),
  };
}

/**
 * Exponential backoff with full jitter (AWS architecture blog): attempt n waits a uniform
 * random time below min(maxDelayMs, initialDelayMs * factor^n), so clients dropped together
 * by a gateway restart do not come back together.
 */
export function reconnectDelay(attempt: number, options: Required<ReconnectOptions>, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** attempt);
  return options.jitter ? Math.floor(random() * ceiling) : ceiling;
}
